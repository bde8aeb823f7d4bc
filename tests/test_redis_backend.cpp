// The lab's Redis mode on a test-owned redis-server with real baton-agent processes: the
// backend runs on a thread of its own and is driven as the lab's controller drives it (queued
// calls in, queued signals out); this thread plays the GUI thread.

#include "backend/local_redis_server.h"
#include "backend/redis_backend.h"
#include "support/agent_process.h"
#include "support/gap_probe.h"
#include "support/lab_test_case.h"
#include "support/redis_server.h"

#include <baton/redis/free_port.h>
#include <baton/redis/redis_store.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <memory>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

Timing quick() {
    return Timing{1s, 200ms, 200ms};
}

Action make(Action::Kind kind, int elector = -1, Duration duration = {}) {
    Action a;
    a.kind = kind;
    a.elector = elector;
    a.duration = duration;
    a.timing = quick();
    return a;
}

// One backend on its own thread, and everything it said.
class Run : public QObject {
public:
    Run(const std::string& url, const QString& resource) {
        m_backend = new RedisBackend(QString::fromStdString(url), resource,
                                     QStringLiteral(BATON_AGENT_PATH));
        m_backend->moveToThread(&m_thread);
        // Deleted on its own thread as that thread ends.
        connect(&m_thread, &QThread::finished, m_backend, &QObject::deleteLater);
        connect(m_backend, &Backend::snapshotReady, this, [this](const ClusterSnapshot& s) {
            last = s;
            ++snapshots;
        });
        connect(m_backend, &Backend::eventsReady, this,
                [this](const QVector<LabEvent>& e) { events += e; });
        connect(m_backend, &Backend::actionRefused, this,
                [this](const QString& why) { refusals << why; });
        m_thread.start();
        RedisBackend* b = m_backend;
        QMetaObject::invokeMethod(
            b, [b] { b->begin(); }, Qt::QueuedConnection);
    }
    ~Run() override {
        RedisBackend* b = m_backend;
        QMetaObject::invokeMethod(
            b, [b] { b->shutdown(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }

    void act(const Action& a) {
        RedisBackend* b = m_backend;
        QMetaObject::invokeMethod(
            b, [b, a] { b->act(a); }, Qt::QueuedConnection);
    }

    const ElectorView* elector(int id) const {
        return id >= 0 && id < last.electors.size() ? &last.electors[id] : nullptr;
    }
    const ElectorView* byIdentity(const QString& identity) const {
        for (const ElectorView& v : last.electors)
            if (v.identity == identity)
                return &v;
        return nullptr;
    }
    ElectorState stateOf(int id) const {
        const ElectorView* v = elector(id);
        return v ? v->state : ElectorState::Stopped;
    }
    /// The holder per the store, when it also believes it leads; else -1.
    int leader() const {
        const int h = last.lock.holder;
        const ElectorView* v = elector(h);
        return v && v->believesLeader && v->state == ElectorState::Leader ? h : -1;
    }
    QList<LabEvent> find(LabEvent::Source source, const QString& name, int electorId = -1) const {
        QList<LabEvent> out;
        for (const LabEvent& e : events)
            if (e.source == source && e.name == name && (electorId < 0 || e.elector == electorId))
                out.push_back(e);
        return out;
    }
    /// Every text the backend produced: what must never hold a password.
    QString allText() const {
        QStringList parts{last.storeStatus, last.lock.holderIdentity};
        for (const LabEvent& e : events)
            parts << e.identity << e.name << e.detail;
        for (const ElectorView& v : last.electors)
            parts << v.identity << v.note << v.seenLeader;
        return (parts + refusals).join(QLatin1Char('\n'));
    }

    ClusterSnapshot last;
    int snapshots = 0;
    QVector<LabEvent> events;
    QStringList refusals;

    /// Why elector `id` cannot undergo `kind` now, as the backend says ("" when it can).
    QString cannot(int id, Action::Kind kind) const {
        const ElectorView* e = elector(id);
        return e ? e->unavailable[std::size_t(kind)] : u"no such elector"_s;
    }

private:
    QThread m_thread;
    RedisBackend* m_backend = nullptr;
};

bool processGone(qint64 pid) {
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

class TestRedisBackend : public baton::test::LabTestCase {
    Q_OBJECT
    RedisServer m_server;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }

    // Given three agents the lab started, when the lock's holder is killed, then it shows
    // crashed, the crash was of a leader, and another agent is elected with a higher fence.
    void killLeaderFailsOverBetweenAgents() {
        Run run(m_server.url(), QStringLiteral("agents"));
        for (int i = 0; i < 3; ++i)
            run.act(make(Action::Kind::AddAgent));
        QTRY_VERIFY_WITH_TIMEOUT(run.last.electors.size() == 3 && run.leader() >= 0, 10000);
        QVERIFY(run.last.storeStatus.isEmpty());
        const int old = run.leader();
        const quint64 oldFence = run.last.lock.fence;
        QCOMPARE(run.last.electors[old].kind, ElectorKind::Agent);
        QVERIFY(run.last.electors[old].identity.startsWith(QStringLiteral("lab-agent-")));
        QCOMPARE(run.last.lock.holderIdentity, run.last.electors[old].identity);
        QVERIFY(run.last.lock.expiresAt > run.last.now);
        QTRY_VERIFY(run.last.storeOpsPerSecond > 0);

        run.act(make(Action::Kind::KillLeader));
        QTRY_COMPARE(run.stateOf(old), ElectorState::Crashed);
        auto otherLeads = [&] { return run.leader() >= 0 && run.leader() != old; };
        QTRY_VERIFY_WITH_TIMEOUT(otherLeads(), 10000);
        QVERIFY(run.last.lock.fence > oldFence);

        const QList<LabEvent> crashes = run.find(LabEvent::Source::Fault, QStringLiteral("crash"));
        QCOMPARE(crashes.size(), 1);
        QCOMPARE(crashes[0].elector, old);
        QVERIFY(crashes[0].wasLeader);
        const int successor = run.leader();
        auto electedAfter = [&] {
            const auto elected =
                run.find(LabEvent::Source::Elector, QStringLiteral("elected"), successor);
            return !elected.isEmpty() && elected.back().fence > oldFence &&
                   elected.back().at >= crashes[0].at &&
                   elected.back().deadline > elected.back().at;
        };
        QTRY_VERIFY(electedAfter());
        auto holderEvent = [&] {
            const auto holders = run.find(LabEvent::Source::Store, QStringLiteral("holder"));
            return !holders.isEmpty() && holders.back().elector == successor &&
                   holders.back().fence == run.last.lock.fence;
        };
        QTRY_VERIFY(holderEvent());

        // A follower paused by SIGSTOP comes back by itself (SIGCONT); new timing reaches the
        // agent over its control channel (its presence entry shows it).
        const int follower = 3 - old - successor;
        // The lab's agent can undergo every fault: latency and partition on its fault proxy,
        // drift by a restart with --clock-rate.
        for (Action::Kind kind : {Action::Kind::Latency, Action::Kind::Partition,
                                  Action::Kind::Drift, Action::Kind::Pause})
            QCOMPARE(run.cannot(follower, kind), QString());
        run.act(make(Action::Kind::Pause, follower, 600ms));
        QTRY_COMPARE(run.stateOf(follower), ElectorState::Paused);
        QTRY_COMPARE(run.stateOf(follower), ElectorState::Follower);
        Action timing = make(Action::Kind::Timing, follower);
        timing.timing = Timing{2s, 400ms, 400ms};
        run.act(timing);
        auto retimed = [&] { return run.elector(follower)->timing.ttl == Duration(2s); };
        QTRY_VERIFY(retimed());

        // The crashed agent starts again; a stop is graceful.
        run.act(make(Action::Kind::Start, old));
        QTRY_COMPARE(run.stateOf(old), ElectorState::Follower);
        QCOMPARE(run.find(LabEvent::Source::Fault, QStringLiteral("restart"), old).size(), 1);
        auto startedTwice = [&] {
            return run.find(LabEvent::Source::Elector, QStringLiteral("started"), old).size() == 2;
        };
        QTRY_VERIFY(startedTwice()); // it handles SIGTERM from then on
        run.act(make(Action::Kind::Stop, old));
        QTRY_COMPARE(run.stateOf(old), ElectorState::Stopped);
        QCOMPARE(run.elector(old)->note, QStringLiteral("stopped (SIGTERM)"));
        QTRY_VERIFY(!run.find(LabEvent::Source::Elector, QStringLiteral("stopped"), old).isEmpty());

        // Events come in time order.
        for (qsizetype i = 1; i < run.events.size(); ++i)
            QVERIFY(run.events[i - 1].at <= run.events[i].at);
        QVERIFY(run.refusals.isEmpty());
    }

    // Given two thread electors, the lab's kill, pause, partition, latency and timing reach the
    // election itself.
    void threadElectorsObeyTheLab() {
        Run run(m_server.url(), QStringLiteral("threads"));
        run.act(make(Action::Kind::AddThread));
        run.act(make(Action::Kind::AddThread));
        QTRY_VERIFY_WITH_TIMEOUT(run.last.electors.size() == 2 && run.leader() >= 0, 10000);
        QCOMPARE(run.last.electors[0].kind, ElectorKind::Thread);
        int leader = run.leader();
        const int follower = 1 - leader;

        // A pause freezes it, and ends by itself.
        run.act(make(Action::Kind::Pause, follower, 700ms));
        QTRY_COMPARE(run.stateOf(follower), ElectorState::Paused);
        QTRY_COMPARE(run.stateOf(follower), ElectorState::Follower);

        // A partition cuts the leader off: it loses the lock to the other.
        run.act(make(Action::Kind::Partition, leader, 2s));
        QTRY_COMPARE(run.stateOf(leader), ElectorState::Partitioned);
        QTRY_VERIFY_WITH_TIMEOUT(run.leader() == follower, 5000);
        const auto partitions =
            run.find(LabEvent::Source::Fault, QStringLiteral("partition"), leader);
        QCOMPARE(partitions.size(), 1);
        QVERIFY(partitions[0].wasLeader);
        QVERIFY(partitions[0].until > partitions[0].at);
        run.act(make(Action::Kind::Heal, leader));
        QTRY_COMPARE(run.stateOf(leader), ElectorState::Follower);
        leader = follower;

        // New timing: the next extend's deadline is a ttl of 3 s away.
        Action timing = make(Action::Kind::Timing, leader);
        timing.timing = Timing{3s, 500ms, 500ms};
        const LabTime asked = run.last.now;
        run.act(timing);
        auto longLease = [&] {
            for (const LabEvent& e :
                 run.find(LabEvent::Source::Elector, QStringLiteral("extended"), leader))
                if (e.at > asked && e.deadline - e.at > 2500ms)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(longLease(), 5000);
        QCOMPARE(run.last.electors[leader].timing.ttl, Duration(3s));

        // Latency shows on the elector while it lasts.
        Action slow = make(Action::Kind::Latency, leader);
        slow.extra = 30ms;
        slow.duration = 2s;
        run.act(slow);
        auto slowed = [&] { return run.elector(leader)->latency == Duration(30ms); };
        QTRY_VERIFY(slowed());

        // Kill: crashed, no release; start: back in the race.
        run.act(make(Action::Kind::Crash, leader));
        QTRY_COMPARE(run.stateOf(leader), ElectorState::Crashed);
        const auto crashes = run.find(LabEvent::Source::Fault, QStringLiteral("crash"), leader);
        QCOMPARE(crashes.size(), 1);
        QVERIFY(crashes[0].wasLeader);
        run.act(make(Action::Kind::Start, leader));
        auto runningAgain = [&] {
            const ElectorState s = run.stateOf(leader);
            return s == ElectorState::Follower || s == ElectorState::Leader;
        };
        QTRY_VERIFY(runningAgain());
        QCOMPARE(run.find(LabEvent::Source::Fault, QStringLiteral("restart"), leader).size(), 1);

        // What a thread elector can undergo: latency yes, clock drift no.
        QVERIFY(run.cannot(leader, Action::Kind::Latency).isEmpty());
        QVERIFY(run.cannot(leader, Action::Kind::Drift).contains(u"simulated"_s));
        QVERIFY(!run.cannot(leader, Action::Kind::Start).isEmpty()); // it is running

        // What cannot be done is refused with a reason.
        run.act(make(Action::Kind::Drift, leader));
        QTRY_COMPARE(run.refusals.size(), 1);
        QVERIFY(run.refusals[0].contains(QStringLiteral("simulated")));
    }

    // Given an agent leading, when Kill leader has a length (the lab's "come back" option),
    // then it is SIGKILLed, another takes over, and it restarts by itself after that length.
    void killedLeaderComesBack() {
        Run run(m_server.url(), QStringLiteral("comeback"));
        run.act(make(Action::Kind::AddAgent));
        run.act(make(Action::Kind::AddAgent));
        QTRY_VERIFY_WITH_TIMEOUT(run.last.electors.size() == 2 && run.leader() >= 0, 10000);
        const int old = run.leader();
        run.act(make(Action::Kind::KillLeader, -1, 1500ms));
        QTRY_COMPARE(run.stateOf(old), ElectorState::Crashed);
        QTRY_VERIFY_WITH_TIMEOUT(run.leader() == 1 - old, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !run.find(LabEvent::Source::Fault, QStringLiteral("restart"), old).isEmpty(), 10000);
        const LabEvent crash = run.find(LabEvent::Source::Fault, QStringLiteral("crash"), old)[0];
        const LabEvent back = run.find(LabEvent::Source::Fault, QStringLiteral("restart"), old)[0];
        // Down for the kill's length. (Event times are made monotonic when sent: an agent's
        // line stamped a hair later by its own clock can move the crash's time up by a few ms.)
        QVERIFY2(back.at - crash.at >= 1500ms - 20ms,
                 qPrintable(QString::number(
                     std::chrono::duration_cast<std::chrono::milliseconds>(back.at - crash.at)
                         .count())));
        QTRY_COMPARE_WITH_TIMEOUT(run.stateOf(old), ElectorState::Follower, 10000);
    }

    // Given agents started by somebody else, the lab shows them as external; it controls only
    // the one that allows control.
    void externalAgentsAreSeen() {
        const QString resource = QStringLiteral("external");
        Run run(m_server.url(), resource);
        // Connected means subscribed (subscribe() waits for the server): the first election's
        // "elected" cannot be published before the lab listens.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const LabEvent& e : run.find(LabEvent::Source::Lab, u"info"_s))
                    if (e.detail.startsWith(u"connected to"_s))
                        return true;
                return false;
            }(),
            10000);
        AgentProcess open, closed;
        const QStringList common{
            QStringLiteral("--redis"),    QString::fromStdString(m_server.url()),
            QStringLiteral("--resource"), resource,
            QStringLiteral("--ttl"),      QStringLiteral("1s"),
            QStringLiteral("--refresh"),  QStringLiteral("200ms")};
        open.start(QStringLiteral("outside-open"),
                   common + QStringList{QStringLiteral("--allow-control")});
        closed.start(QStringLiteral("outside-closed"), common);
        auto bothSeen = [&] {
            const ElectorView* o = run.byIdentity(QStringLiteral("outside-open"));
            const ElectorView* c = run.byIdentity(QStringLiteral("outside-closed"));
            return o && c && o->kind == ElectorKind::External && c->kind == ElectorKind::External &&
                   o->controllable && !c->controllable;
        };
        QTRY_VERIFY_WITH_TIMEOUT(bothSeen(), 10000);
        auto someoneLeads = [&] {
            const ElectorView* h = run.elector(run.last.lock.holder);
            return h && h->kind == ElectorKind::External && h->state == ElectorState::Leader;
        };
        QTRY_VERIFY(someoneLeads());
        QTRY_VERIFY(!run.find(LabEvent::Source::Elector, QStringLiteral("elected")).isEmpty());

        // An external agent can be stopped over its control channel but not killed; one that
        // does not allow control can undergo nothing, and says why.
        const int openSeen = run.byIdentity(QStringLiteral("outside-open"))->id;
        const int closedSeen = run.byIdentity(QStringLiteral("outside-closed"))->id;
        QVERIFY(run.cannot(openSeen, Action::Kind::Stop).isEmpty());
        QVERIFY(!run.cannot(openSeen, Action::Kind::Crash).isEmpty());
        QVERIFY(!run.cannot(openSeen, Action::Kind::Latency).isEmpty());
        for (const Action::Kind kind :
             {Action::Kind::Crash, Action::Kind::Stop, Action::Kind::Pause, Action::Kind::Partition,
              Action::Kind::Timing})
            QVERIFY(run.cannot(closedSeen, kind).contains(u"--allow-control"_s));

        run.act(make(Action::Kind::Stop, run.byIdentity(QStringLiteral("outside-closed"))->id));
        QTRY_COMPARE(run.refusals.size(), 1);
        QVERIFY(run.refusals[0].contains(QStringLiteral("--allow-control")));

        const int openId = run.byIdentity(QStringLiteral("outside-open"))->id;
        run.act(make(Action::Kind::Stop, openId));
        QTRY_VERIFY(!open.running());
        QTRY_COMPARE(run.stateOf(openId), ElectorState::Stopped);
        QVERIFY(closed.running());
    }

    void badUrlIsReported_data() {
        QTest::addColumn<QString>("url");
        QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:6379");
        QTest::newRow("wrong scheme") << QStringLiteral("http://user:sekret-1@127.0.0.1:6379");
        QTest::newRow("port not a number") << QStringLiteral("redis://:sekret-2@127.0.0.1:port");
        QTest::newRow("port out of range") << QStringLiteral("redis://:sekret-3@127.0.0.1:70000");
        QTest::newRow("empty") << QString();
    }

    // Given a URL that cannot be used, the lab says so (never with the password) and keeps
    // running: snapshots go on, electors are refused.
    void badUrlIsReported() {
        QFETCH(QString, url);
        Run run(url.toStdString(), QStringLiteral("bad"));
        QTRY_VERIFY(run.snapshots >= 3);
        QVERIFY2(run.last.storeStatus.startsWith(QStringLiteral("bad Redis URL")),
                 qPrintable(run.last.storeStatus));
        QCOMPARE(run.find(LabEvent::Source::Lab, QStringLiteral("error")).size(), 1);
        QVERIFY(!run.last.lock.known);
        run.act(make(Action::Kind::AddAgent));
        QTRY_COMPARE(run.refusals.size(), 1);
        QVERIFY(!run.allText().contains(QStringLiteral("sekret")));
    }

    // Given no server at the URL, the status says Redis does not answer, and why.
    void unreachableRedisIsReported() {
        const int port = freeLoopbackPort();
        Run run(QStringLiteral("redis://:sekret-9@127.0.0.1:%1").arg(port).toStdString(),
                QStringLiteral("nowhere"));
        auto reported = [&] {
            return run.last.storeStatus.startsWith(
                QStringLiteral("Redis not answering: cannot connect to redis://:***@127.0.0.1"));
        };
        QTRY_VERIFY(reported());
        QVERIFY(!run.last.lock.known);
        QCOMPARE(run.find(LabEvent::Source::Lab, QStringLiteral("error")).size(), 1);
        QVERIFY(!run.allText().contains(QStringLiteral("sekret")));
    }

    // Given a server with another password, the status says the login was refused; the
    // electors it starts cannot log in either; no text shows the password.
    void wrongPasswordIsReported() {
        RedisServer guarded;
        QVERIFY2(guarded.start({QStringLiteral("right-horse"), {}}), qPrintable(guarded.error()));
        Run run(guarded.url(QStringLiteral(":wrong-sekret")), QStringLiteral("guarded"));
        QTRY_VERIFY(run.last.storeStatus.contains(QStringLiteral("refused the login")));
        run.act(make(Action::Kind::AddThread));
        run.act(make(Action::Kind::AddAgent));
        auto bothFailed = [&] {
            return run.last.electors.size() == 2 &&
                   run.last.electors[0].note.contains(QStringLiteral("authentication failed")) &&
                   run.last.electors[1].state == ElectorState::Crashed &&
                   run.last.electors[1].note.contains(QStringLiteral("code 3"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(bothFailed(), 10000);
        const QString text = run.allText();
        QVERIFY(!text.contains(QStringLiteral("wrong-sekret")));
        QVERIFY(!text.contains(QStringLiteral("right-horse")));
        QVERIFY(text.contains(QStringLiteral("redis://:***@127.0.0.1")));
    }

    // Given a server that hangs (SIGSTOP), the GUI thread never waits and the snapshots go on
    // saying Redis does not answer; when it returns, the status clears.
    void hungServerNeverBlocksTheGuiThread() {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.error()));
        Run run(server.url(), QStringLiteral("hang"));
        run.act(make(Action::Kind::AddThread));
        run.act(make(Action::Kind::AddAgent));
        QTRY_VERIFY_WITH_TIMEOUT(run.leader() >= 0 && run.last.storeStatus.isEmpty(), 10000);

        QElapsedTimer window;
        baton::test::GapProbe probe(10, Qt::PreciseTimer);
        server.pause();
        window.start();
        probe.start();
        const int before = run.snapshots;
        auto notAnswering = [&] {
            return run.last.storeStatus.startsWith(QStringLiteral("Redis not answering"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(notAnswering(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(window.elapsed() >= 2000, 5000);
        probe.stop();
        const int during = run.snapshots - before;
        server.resume();
        const double worstGap = probe.worst();
        qInfo("server stopped for 2 s: worst GUI-thread gap %.1f ms, %d snapshots", worstGap,
              during);
        QVERIFY2(worstGap <= 100,
                 qPrintable(QStringLiteral("GUI thread stalled %1 ms").arg(worstGap)));
        QVERIFY2(during >= 25, qPrintable(QStringLiteral("%1 snapshots in 2 s").arg(during)));
        QVERIFY(notAnswering());
        QVERIFY(!run.last.lock.known);
        QVERIFY(!run.find(LabEvent::Source::Lab, QStringLiteral("error")).isEmpty());

        QTRY_VERIFY_WITH_TIMEOUT(run.last.storeStatus.isEmpty(), 15000);
        QTRY_VERIFY(run.last.lock.known);
        QTRY_VERIFY(!run.find(LabEvent::Source::Lab, QStringLiteral("info")).isEmpty());
        auto recovered = [&] {
            for (const LabEvent& e : run.find(LabEvent::Source::Lab, QStringLiteral("info")))
                if (e.detail == QStringLiteral("Redis answers again"))
                    return true;
            return false;
        };
        QTRY_VERIFY(recovered());
        QTRY_VERIFY_WITH_TIMEOUT(run.leader() >= 0, 10000);
    }

    // Given redis-server on PATH, the local server starts without blocking, answers PING, and
    // is gone after its owner.
    void localServerStartsAndStops() {
        auto server = std::make_unique<LocalRedisServer>();
        QSignalSpy ready(server.get(), &LocalRedisServer::ready);
        QSignalSpy failed(server.get(), &LocalRedisServer::failed);
        server->start();
        QVERIFY(!server->isReady()); // start() did not wait for it
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(failed.size(), 0);
        const QString url = ready.at(0).at(0).toString();
        QCOMPARE(url, server->url());
        const qint64 pid = server->processId();
        QVERIFY(pid > 0);
        RedisStore store(url.toStdString()); // connects and PINGs, or throws
        store.set("lab:probe", "yes", 0s);
        QCOMPARE(store.get("lab:probe").value_or(""), std::string("yes"));
        server.reset();
        QVERIFY(processGone(pid));
    }

    void localServerSaysWhatIsMissing() {
        const QByteArray path = qgetenv("PATH");
        qputenv("PATH", "/nonexistent");
        LocalRedisServer server;
        QSignalSpy failed(&server, &LocalRedisServer::failed);
        server.start();
        qputenv("PATH", path);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(),
                 QStringLiteral("redis-server not found: apt-get install redis-server"));
        QVERIFY(!server.isReady());
    }
};

QTEST_MAIN(TestRedisBackend)
#include "test_redis_backend.moc"
