// Real faults on the lab's own agents, from the window as a user gives them: a partition and a
// latency spike on each agent's fault proxy, clock drift by a restart with --clock-rate, and
// the lab's safety check on the real history (an overlap drawn red and counted). A
// redis-server of the test's own, real baton-agent processes, ttl 1 s so that it is quick.

#include "backend/agent_proxy.h"
#include "inspector/inspector.h"
#include "stats/failover_stats.h"
#include "style/fault_colors.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"
#include "support/redis_server.h"
#include "timeline/leadership_history.h"
#include "timeline/timeline_view.h"
#include "windows/main_window.h"

#include "cluster/cluster_view.h"
#include "log/event_log_model.h"

#include <baton/redis/redis_url.h>

#include <QAction>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace std::chrono_literals;
using lab_events::leaderOf;

namespace {

constexpr int kWait = 15000; // a real process starts, connects, and waits out a lock

// ttl 1 s, refresh 300 ms, retry 300 ms: failovers within about a second.
Timing quick() {
    return Timing{1s, 300ms, 300ms};
}

// The lab's window in Redis mode with `n` agents of its own on `url`.
struct Lab {
    mutable MainWindow w; // its accessors are not const
    explicit Lab(const std::string& url, int n = 2)
        : w(options()) {
        w.resize(1400, 900);
        w.show();
        w.connectRedis(QString::fromStdString(url), 0, QStringLiteral("job-scheduler"));
        for (int i = 0; i < n; ++i) {
            Action add;
            add.kind = Action::Kind::AddAgent;
            add.timing = quick();
            w.controller().act(add);
        }
    }
    static MainWindow::Options options() {
        MainWindow::Options o;
        o.agentPath = QStringLiteral(BATON_AGENT_PATH);
        return o;
    }

    const ClusterSnapshot& snapshot() const { return w.controller().snapshot(); }
    const ElectorView& elector(int id) const { return snapshot().electors[id]; }
    /// Who leads: believes it, is in state leader, and holds the lock.
    int leader() const {
        const int id = leaderOf(snapshot(), true);
        return id >= 0 && snapshot().lock.holder == id ? id : -1;
    }
    bool ready(int n) const { return snapshot().electors.size() == n && leader() >= 0; }

    /// Selects `id` and presses the inspector's `button` after `setUp` set its inputs.
    template <typename SetUp>
    void press(int id, const char* button, SetUp&& setUp) {
        w.clusterView()->setSelected(id);
        Inspector* inspector = w.inspector();
        setUp(*inspector);
        auto* b = inspector->findChild<QPushButton*>(QString::fromLatin1(button));
        QVERIFY(b);
        QTRY_VERIFY2(b->isEnabled(), button); // what the backend says it can undergo
        QTest::mouseClick(b, Qt::LeftButton);
    }
    void press(int id, const char* button) {
        press(id, button, [](Inspector&) {});
    }
    template <typename T>
    static T* input(Inspector& inspector, const char* name) {
        return inspector.findChild<T*>(QString::fromLatin1(name));
    }

    /// Its events of one source and name, in order.
    QVector<LabEvent> events(LabEvent::Source source, const char* name, int id) const {
        QVector<LabEvent> out;
        for (const LabEvent& e : w.eventLog()->events())
            if (e.source == source && e.name == QLatin1String(name) && e.elector == id)
                out.append(e);
        return out;
    }
    /// Its election events named `name` since `t`.
    QVector<LabEvent> since(LabTime t, const char* name, int id) const {
        QVector<LabEvent> out;
        for (const LabEvent& e : events(LabEvent::Source::Elector, name, id))
            if (e.at >= t)
                out.append(e);
        return out;
    }
    /// The latest self-fencing deadline it reported before `t` (elected or extended).
    LabTime deadlineBefore(LabTime t, int id) const {
        LabTime d{};
        for (const char* name : {"elected", "extended"})
            for (const LabEvent& e : events(LabEvent::Source::Elector, name, id))
                if (e.at < t)
                    d = std::max(d, e.deadline);
        return d;
    }
    /// The fault it underwent last of kind `name` (its time; zero: none).
    LabTime faultAt(const char* name, int id) const {
        const QVector<LabEvent> f = events(LabEvent::Source::Fault, name, id);
        return f.isEmpty() ? LabTime{} : f.back().at;
    }
};

double ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// How many pixels of the timeline are the overlap's red.
int redPixels(TimelineView& view) {
    const QImage image = view.grab().toImage();
    const QRgb red = overlapColor().rgb();
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += image.pixel(x, y) == red;
    return n;
}

// The README's picture: the last seconds on the timeline, the slow elector in the inspector.
void saveScreenshot(Lab& lab, int slow, const QString& path) {
    lab.w.resize(1500, 940);
    lab.w.clusterView()->setSelected(slow);
    // The partition's last second, with the overlap well inside the timeline's window.
    const LabTime cut = lab.faultAt("partition", slow);
    QTRY_VERIFY_WITH_TIMEOUT(lab.snapshot().now > cut + 3s, 5000);
    TimelineView& timeline = *lab.w.timelineView();
    while (timeline.visibleEnd() - timeline.visibleBegin() > 4s)
        timeline.zoomIn();
    for (QWidget* up = lab.w.inspector(); up; up = up->parentWidget())
        if (auto* area = qobject_cast<QScrollArea*>(up))
            area->verticalScrollBar()->setValue(0); // its top: who it is, state, clock rate
    QTest::qWait(300);                              // the views repaint at their next snapshot
    QVERIFY(lab.w.grab().save(path));
}

} // namespace

class TestLabFaults : public LabTestCase {
    Q_OBJECT
    RedisServer m_redis;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }
    void cleanup() { QVERIFY(m_redis.cli({u"FLUSHALL"_qs}) == u"OK"_qs); }

    // Given two agents behind their fault proxies, when the operator partitions the leader
    // from the inspector, then nothing reaches Redis from it: it shows partitioned, it revokes
    // at its self-fencing deadline (not before, not after), the other is elected only after
    // that, no overlap, and when the partition runs out it follows again.
    void partitionedLeaderRevokesAtItsDeadline() {
        Lab lab(m_redis.url());
        QTRY_VERIFY_WITH_TIMEOUT(lab.ready(2), kWait);
        const int old = lab.leader();
        const int other = 1 - old;
        QVERIFY(lab.elector(old).unavailable[std::size_t(Action::Kind::Partition)].isEmpty());
        lab.press(old, "partitionButton", [](Inspector& i) {
            Lab::input<QDoubleSpinBox>(i, "partitionSeconds")->setValue(3);
        });
        QTRY_COMPARE(lab.elector(old).state, ElectorState::Partitioned);
        QVERIFY2(lab.elector(old).note.contains(u"blackhole"_qs),
                 qPrintable(lab.elector(old).note));
        const LabTime cut = lab.faultAt("partition", old);
        QVERIFY(cut > LabTime{});

        QTRY_VERIFY_WITH_TIMEOUT(!lab.since(cut, "revoked", old).isEmpty(), 5000);
        const LabEvent revoked = lab.since(cut, "revoked", old).front();
        const LabTime deadline = lab.deadlineBefore(revoked.at, old);
        QVERIFY2(qAbs(ms(revoked.at - deadline)) < 150,
                 qPrintable(u"revoked %1 ms from its deadline"_qs.arg(ms(revoked.at - deadline))));
        QTRY_VERIFY_WITH_TIMEOUT(!lab.since(cut, "elected", other).isEmpty(), 5000);
        const LabEvent elected = lab.since(cut, "elected", other).front();
        QVERIFY2(elected.at >= deadline, "elected before the old leader's deadline");
        QVERIFY(elected.fence > revoked.fence);
        QCOMPARE(lab.w.history()->overlapCount(), 0);
        QCOMPARE(lab.w.stats()->overlapCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(lab.elector(old).state, ElectorState::Follower, 8000);
        QCOMPARE(lab.w.stats()->fenceOrderViolations(), 0);
    }

    // Given the leader behind its proxy, when the operator adds 150 ms of latency from the
    // inspector, then the elector's figures show it, and its extends really take that much
    // longer each way: its lease (the deadline after each reply) is 300 ms shorter; heal ends it.
    void latencyShowsInTheElectorsFigures() {
        Lab lab(m_redis.url());
        QTRY_VERIFY_WITH_TIMEOUT(lab.ready(2), kWait);
        const int id = lab.leader();
        // The longest lease left after a reply since `from`: the quickest round trip's.
        const auto leaseAfterReply = [&](LabTime from) {
            Duration longest = Duration::min();
            for (const LabEvent& e : lab.since(from, "extended", id))
                longest = std::max<Duration>(longest, e.deadline - e.at);
            return longest;
        };
        QTRY_VERIFY(leaseAfterReply({}) > 900ms); // a loopback round trip: a fraction of a ms
        lab.press(id, "latencyButton", [](Inspector& i) {
            Lab::input<QSpinBox>(i, "latencyMs")->setValue(150);
            Lab::input<QDoubleSpinBox>(i, "latencySeconds")->setValue(20);
        });
        QTRY_COMPARE(lab.elector(id).latency, Duration(150ms));
        auto* shown = lab.w.inspector()->findChild<QLabel*>(u"latencyLabel"_qs);
        QTRY_VERIFY2(shown->text().contains(u"150"_qs), qPrintable(shown->text()));
        const LabTime slowed = lab.faultAt("latency", id);
        // The first reply after the fault may have been on its way already.
        QTRY_VERIFY_WITH_TIMEOUT(lab.since(slowed + 400ms, "extended", id).size() >= 2, 5000);
        const Duration lease = leaseAfterReply(slowed + 400ms);
        QVERIFY2(lease < 990ms - 290ms && lease > 400ms,
                 qPrintable(u"lease after a reply: %1 ms"_qs.arg(ms(lease))));
        QCOMPARE(lab.leader(), id); // 300 ms round trips are within its 1 s ttl

        lab.press(id, "healButton");
        QTRY_COMPARE(lab.elector(id).latency, Duration{});
    }

    // Given two agents, ttl 1 s, and the agents assume a drift of at most 1%, when the
    // operator drifts the leader's clock to 0.6 (it restarts with --clock-rate 0.6), makes it
    // lead again and partitions it, then its lock expires on Redis' clock while its slow
    // clock says it still leads: the other is elected meanwhile, and the lab's check on the
    // real history finds the overlap, draws it red on the timeline and counts it.
    void driftBeyondMaxDriftIsAnOverlapCaught() {
        Lab lab(m_redis.url());
        QTRY_VERIFY_WITH_TIMEOUT(lab.ready(2), kWait);
        const int slow = lab.leader();
        const int other = 1 - slow;
        lab.press(slow, "driftButton",
                  [](Inspector& i) { Lab::input<QDoubleSpinBox>(i, "driftRate")->setValue(0.6); });
        QTRY_COMPARE(lab.elector(slow).clockRate, 0.6);
        QTRY_COMPARE_WITH_TIMEOUT(lab.events(LabEvent::Source::Elector, "started", slow).size(), 2,
                                  kWait);
        QTRY_VERIFY_WITH_TIMEOUT(lab.leader() == other, kWait);
        QVERIFY(lab.elector(slow).note.contains(u"clock rate 0.6"_qs));
        QCOMPARE(lab.events(LabEvent::Source::Fault, "drift", slow).size(), 1);

        // The slow one leads again: the other stops (a release) and starts again.
        lab.press(other, "stopButton");
        QTRY_VERIFY_WITH_TIMEOUT(lab.leader() == slow, kWait);
        lab.press(other, "startButton");
        QTRY_COMPARE_WITH_TIMEOUT(lab.events(LabEvent::Source::Elector, "started", other).size(), 2,
                                  kWait);
        QTRY_COMPARE(lab.elector(other).state, ElectorState::Follower);
        QCOMPARE(lab.w.history()->overlapCount(), 0);

        lab.press(slow, "partitionButton", [](Inspector& i) {
            Lab::input<QDoubleSpinBox>(i, "partitionSeconds")->setValue(4);
        });
        QTRY_VERIFY_WITH_TIMEOUT(lab.w.history()->overlapCount() == 1, 8000);
        QTRY_COMPARE(lab.w.stats()->overlapCount(), 1);
        // It lasts until the slow one's deadline: about 1 s / 0.6 - 1 s (the ttl).
        const auto closed = [&] {
            const auto o = lab.w.history()->overlaps(LabTime::min(), LabTime::max());
            return !o.isEmpty() && !o.front().open;
        };
        QTRY_VERIFY_WITH_TIMEOUT(closed(), 5000);
        const OverlapItem o = lab.w.history()->overlaps(LabTime::min(), LabTime::max()).front();
        QVERIFY(o.electors.contains(slow) && o.electors.contains(other));
        QVERIFY2(o.end - o.begin > 250ms && o.end - o.begin < 1s,
                 qPrintable(u"overlap of %1 ms"_qs.arg(ms(o.end - o.begin))));
        QVERIFY(lab.w.stats()->overlapTotal() > 250ms);
        QCOMPARE(lab.w.stats()->fenceOrderViolations(), 0);
        // Statistics counts it; the timeline draws it red.
        auto* overlaps = lab.w.findChild<QLabel*>(u"overlaps"_qs);
        QVERIFY(overlaps);
        QTRY_VERIFY2(overlaps->text().startsWith(u"1 ("_qs), qPrintable(overlaps->text()));
        QTRY_VERIFY(redPixels(*lab.w.timelineView()) > 20);
        const QByteArray out = qgetenv("BATON_SCREENSHOT");
        if (!out.isEmpty())
            saveScreenshot(lab, slow, QString::fromLocal8Bit(out));
    }

    // Given a Redis on a unix socket (the proxy forwards TCP only), the lab's agents connect
    // directly, the log says so, latency is refused with that reason, and a partition goes
    // over the control channel: the leader still loses the lock to the other.
    void onAUnixSocketAgentsGoWithoutAProxy() {
        Lab lab("unix://" + m_redis.socketPath().toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(lab.ready(2), kWait);
        const int old = lab.leader();
        bool said = false;
        for (const LabEvent& e : lab.w.eventLog()->events())
            said = said || e.detail.contains(u"reaches Redis directly"_qs);
        QVERIFY(said);
        const QString noLatency = lab.elector(old).unavailable[std::size_t(Action::Kind::Latency)];
        QVERIFY2(noLatency.contains(u"unix socket"_qs), qPrintable(noLatency));
        lab.press(old, "partitionButton", [](Inspector& i) {
            Lab::input<QDoubleSpinBox>(i, "partitionSeconds")->setValue(3);
        });
        QTRY_COMPARE(lab.elector(old).state, ElectorState::Partitioned);
        QTRY_VERIFY_WITH_TIMEOUT(lab.leader() == 1 - old, 5000);
        QCOMPARE(lab.events(LabEvent::Source::Fault, "partition", old).back().detail,
                 u"over its control channel"_qs);
    }

    // The agent's URL through its proxy keeps the credentials and the db as written.
    void agentUrlThroughTheProxy_data() {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("through");
        QTest::newRow("plain") << u"redis://db.example:6380"_qs << u"redis://127.0.0.1:7000"_qs;
        QTest::newRow("db") << u"redis://h/3"_qs << u"redis://127.0.0.1:7000/3"_qs;
        QTest::newRow("user and password with @") << u"redis://alice:pa@ss@db.example:6380/2"_qs
                                                  << u"redis://alice:pa@ss@127.0.0.1:7000/2"_qs;
        QTest::newRow("percent-encoded")
            << u"redis://:a%2Fb%20c@h:7000"_qs << u"redis://:a%2Fb%20c@127.0.0.1:7000"_qs;
        QTest::newRow("IPv6") << u"redis://[::1]:6379/1"_qs << u"redis://127.0.0.1:7000/1"_qs;
        QTest::newRow("unix socket") << u"unix:///tmp/r.sock"_qs << QString();
    }
    void agentUrlThroughTheProxy() {
        QFETCH(QString, given);
        QFETCH(QString, through);
        QCOMPARE(throughProxy(given, 7000), through);
        if (!through.isEmpty()) {
            const RedisUrl a = RedisUrl::parse(given.toStdString());
            const RedisUrl b = RedisUrl::parse(through.toStdString());
            QCOMPARE(b.user, a.user);
            QCOMPARE(b.password, a.password);
            QCOMPARE(b.db, a.db);
        }
    }

    // Given an agent, a clock rate out of range is refused with the rule, and a thread elector
    // says why it cannot drift.
    void badDriftIsRefused() {
        Lab lab(m_redis.url(), 1);
        Action thread;
        thread.kind = Action::Kind::AddThread;
        thread.timing = quick();
        lab.w.controller().act(thread);
        QTRY_VERIFY_WITH_TIMEOUT(lab.ready(2), kWait);
        const int agent = lab.elector(0).kind == ElectorKind::Agent ? 0 : 1;
        QVERIFY(lab.elector(1 - agent).unavailable[std::size_t(Action::Kind::Drift)].contains(
            u"lab's own clock"_qs));
        QVERIFY(lab.elector(agent).unavailable[std::size_t(Action::Kind::Drift)].isEmpty());
        QVERIFY(lab.elector(agent).unavailable[std::size_t(Action::Kind::Latency)].isEmpty());
        QStringList refusals;
        connect(&lab.w.controller(), &LabController::actionRefused, this,
                [&](const QString& why) { refusals << why; });
        Action drift;
        drift.kind = Action::Kind::Drift;
        drift.elector = agent;
        drift.rate = 3.0;
        lab.w.controller().act(drift);
        QTRY_COMPARE(refusals.size(), 1);
        QVERIFY2(refusals[0].contains(u"clock rate must be in"_qs), qPrintable(refusals[0]));
        QCOMPARE(lab.events(LabEvent::Source::Elector, "started", agent).size(), 1);
    }
};

QTEST_MAIN(TestLabFaults)
#include "test_lab_faults.moc"
