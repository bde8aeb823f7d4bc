// Real faults on real agents: each baton-agent talks to a private redis-server through a fault
// proxy of its own (its subscription too), and --clock-rate makes a real clock drift. The
// agents' own lines, read by the simulator's checker (RealHistory), give the verdict.

#include "support/agent_process.h"
#include "support/redis_server.h"

#include <baton/proxy/fault_proxy.h>
#include <baton/sim/real_history.h>

#include <QJsonDocument>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace std::chrono_literals;
using baton::proxy::Fault;
using baton::proxy::FaultProxy;
using baton::test::AgentProcess;

namespace {

// ttl 1 s, refresh 250 ms; --verbose: the extends carry the deadlines the checker needs.
const QStringList kTiming{QStringLiteral("--ttl"), QStringLiteral("1s"),
                          QStringLiteral("--refresh"), QStringLiteral("250ms"),
                          QStringLiteral("--verbose")};

double t(const QJsonObject& e) {
    return e.value(QStringLiteral("t")).toDouble();
}

/// The deadline of the last elected or extended line of `a`.
double lastDeadline(const AgentProcess& a) {
    double deadline = 0;
    for (const QJsonObject& e : a.events())
        if (e.contains(QStringLiteral("deadline")))
            deadline = e.value(QStringLiteral("deadline")).toDouble();
    return deadline;
}

double lastOf(const AgentProcess& a, const QString& type) {
    const auto events = a.events(type);
    return events.isEmpty() ? 0 : t(events.back());
}

/// Every line of `agents` (one process each) in a RealHistory of resource "jobs".
baton::RealHistory historyOf(const std::vector<AgentProcess*>& agents) {
    baton::RealHistory h("jobs");
    std::uint64_t incarnation = 0;
    for (const AgentProcess* a : agents) {
        ++incarnation;
        for (const QJsonObject& e : a->events())
            h.addLine(incarnation, QJsonDocument(e).toJson(QJsonDocument::Compact).toStdString());
    }
    return h;
}

QString describe(const baton::Report& r) {
    QString out = QStringLiteral("%1 terms, %2 overlaps").arg(r.terms).arg(r.overlaps);
    for (const auto& v : r.violations)
        out += u"\n"_qs + QString::fromStdString(v.description);
    return out;
}

} // namespace

class TestRealFaults : public QObject {
    Q_OBJECT

    baton::test::RedisServer m_redis;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;
    std::vector<std::unique_ptr<FaultProxy>> m_proxies;

    /// An agent `id` through a proxy of its own; returns both.
    std::pair<AgentProcess*, FaultProxy*> launch(const QString& id, const QStringList& extra = {}) {
        m_proxies.push_back(std::make_unique<FaultProxy>("127.0.0.1", m_redis.port()));
        const std::string url = "redis://127.0.0.1:" + std::to_string(m_proxies.back()->port());
        AgentProcess& a = baton::test::launchAgent(m_agents, id, url, kTiming + extra);
        return {&a, m_proxies.back().get()};
    }
    /// Whether `follower` has seen `leader` lead (its leader-changed line).
    static bool sawLeader(const AgentProcess& follower, const QString& leader) {
        for (const QJsonObject& e : follower.events(QStringLiteral("leader-changed")))
            if (e.value(QStringLiteral("leader")).toString() == leader)
                return true;
        return false;
    }

private slots:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }
    void cleanup() {
        m_agents.clear();
        m_proxies.clear();
        m_redis.cli({QStringLiteral("FLUSHALL")});
    }

    // Given a leader whose proxy starts to blackhole everything, then it revokes at its own
    // deadline (not later), and the follower takes over after the lock's expiry: no overlap.
    void partitionedLeaderRevokesAtItsDeadline() {
        auto [a, pa] = launch(QStringLiteral("a"));
        QTRY_COMPARE(a->count(QStringLiteral("elected")), 1);
        auto [b, pb] = launch(QStringLiteral("b"));
        QTRY_VERIFY(sawLeader(*b, QStringLiteral("a")));
        QTRY_VERIFY(a->count(QStringLiteral("extended")) >= 2);
        const double cut = baton::test::nowMs();
        pa->add(Fault::blackhole());
        QTRY_COMPARE_WITH_TIMEOUT(a->count(QStringLiteral("revoked")), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(b->count(QStringLiteral("elected")), 1, 5000);
        const QJsonObject revoked = a->events(QStringLiteral("revoked")).front();
        QVERIFY2(QStringList({u"expired"_qs, u"error"_qs})
                     .contains(revoked.value(QStringLiteral("reason")).toString()),
                 qPrintable(revoked.value(QStringLiteral("reason")).toString()));
        // At its deadline: the run loop revokes whatever the hung call is doing.
        const double late = t(revoked) - lastDeadline(*a);
        QVERIFY2(late >= -1 && late < 100, qPrintable(QString::number(late)));
        const double elected = lastOf(*b, QStringLiteral("elected"));
        QVERIFY2(elected >= t(revoked), "the follower took over before the leader revoked");
        QVERIFY2(elected - cut < 1000 + 300, qPrintable(QString::number(elected - cut)));
        const baton::Report r = historyOf({a, b}).check(cut - 5000, baton::test::nowMs());
        QVERIFY2(r.safe() && r.terms == 2, qPrintable(describe(r)));
        qInfo("revoked %.1f ms after its deadline, follower elected %.1f ms after the cut", late,
              elected - cut);
    }

    // Given a follower whose proxy resets its connections (its subscription's too) while the
    // leader stops gracefully, then the release notice never reaches it, and it still takes
    // over once the partition is over, by its own timer.
    void partitionedFollowerMissesTheNotice() {
        auto [a, pa] =
            launch(QStringLiteral("a"), {QStringLiteral("--ttl"), QStringLiteral("3s"),
                                         QStringLiteral("--refresh"), QStringLiteral("500ms")});
        QTRY_COMPARE(a->count(QStringLiteral("elected")), 1);
        auto [b, pb] =
            launch(QStringLiteral("b"), {QStringLiteral("--ttl"), QStringLiteral("3s"),
                                         QStringLiteral("--refresh"), QStringLiteral("500ms")});
        QTRY_VERIFY(sawLeader(*b, QStringLiteral("a")));
        // Commands, the subscription and presence: every connection goes through the proxy.
        QVERIFY2(pb->stats().accepted >= 3, qPrintable(QString::number(pb->stats().accepted)));
        const double cut = baton::test::nowMs();
        pb->add(Fault::resetAll().lasting(1000ms));
        a->signal(SIGTERM);
        QTRY_COMPARE(a->count(QStringLiteral("stopped")), 1);
        const double released = lastOf(*a, QStringLiteral("revoked"));
        QTRY_VERIFY(pb->active().empty());
        const double healed = baton::test::nowMs();
        QTRY_COMPARE_WITH_TIMEOUT(b->count(QStringLiteral("elected")), 1, 8000);
        const double elected = lastOf(*b, QStringLiteral("elected"));
        QVERIFY2(elected >= healed - 5, "elected while cut off");
        QVERIFY2(elected - released > 500, "the notice reached it");
        // By the expiry it knew of (the last extend's lock), or its retry once reconnected.
        const double expiry = lastOf(*a, QStringLiteral("extended")) + 3000;
        QVERIFY2(elected < std::max(expiry, healed) + 2000,
                 qPrintable(QStringLiteral("%1 ms after the expiry").arg(elected - expiry)));
        const baton::Report r = historyOf({a, b}).check(cut - 5000, baton::test::nowMs());
        QVERIFY2(r.safe(), qPrintable(describe(r)));
        qInfo("elected %.0f ms after the release, %.0f ms after the heal", elected - released,
              elected - healed);
    }

    // Given a leader whose clock runs at 0.8 (far beyond the 1% it assumes) cut off from
    // Redis, then it believes it leads past its lock's expiry while the follower is elected:
    // the checker finds the overlap in the agents' own lines.
    void slowClockLeaderOverlaps() {
        auto [a, pa] =
            launch(QStringLiteral("slow"), {QStringLiteral("--clock-rate"), QStringLiteral("0.8"),
                                            QStringLiteral("--max-drift"), QStringLiteral("0.01")});
        QTRY_COMPARE(a->count(QStringLiteral("elected")), 1);
        QTRY_VERIFY(a->standardError().contains(u"--clock-rate 0.8"_qs));
        auto [b, pb] = launch(QStringLiteral("b"));
        QTRY_VERIFY(sawLeader(*b, QStringLiteral("slow")));
        QTRY_VERIFY(a->count(QStringLiteral("extended")) >= 2);
        const double cut = baton::test::nowMs();
        pa->add(Fault::blackhole());
        QTRY_COMPARE_WITH_TIMEOUT(b->count(QStringLiteral("elected")), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(a->count(QStringLiteral("revoked")), 1, 5000);
        const baton::Report r = historyOf({a, b}).check(cut - 5000, baton::test::nowMs());
        QVERIFY2(r.overlaps == 1, qPrintable(describe(r)));
        // 1 s of ttl at 0.99 read on a clock at 0.8: about 240 ms beyond the lock's expiry.
        const double overlapMs = std::chrono::duration<double, std::milli>(r.overlapTotal).count();
        QVERIFY2(overlapMs > 50 && overlapMs < 450, qPrintable(describe(r)));
        QVERIFY(r.violations.front().description.find("b (fence") == 0);
        qInfo("overlap %.1f ms", overlapMs);
    }

    // Given --clock-rate at 0.8, then its lines keep true time: the refresh interval of 250 ms
    // on its clock is 312.5 ms of true time between extends.
    void clockRateScalesTheAgentsTime() {
        auto [a, pa] =
            launch(QStringLiteral("slow"), {QStringLiteral("--clock-rate"), QStringLiteral("0.8")});
        QTRY_VERIFY_WITH_TIMEOUT(a->count(QStringLiteral("extended")) >= 5, 5000);
        const auto extends = a->events(QStringLiteral("extended"));
        const double mean = (t(extends.back()) - t(extends.front())) / double(extends.size() - 1);
        QVERIFY2(mean > 295 && mean < 345, qPrintable(QString::number(mean)));
    }

    void badClockRateIsRefused_data() {
        QTest::addColumn<QString>("rate");
        QTest::newRow("zero") << u"0"_qs;
        QTest::newRow("negative") << u"-1"_qs;
        QTest::newRow("too fast") << u"11"_qs;
        QTest::newRow("not a number") << u"fast"_qs;
    }
    void badClockRateIsRefused() {
        QFETCH(QString, rate);
        AgentProcess& a = baton::test::launchAgent(m_agents, QStringLiteral("x"), m_redis.url(),
                                                   {QStringLiteral("--clock-rate"), rate});
        QVERIFY(a.process().waitForFinished(5000));
        QCOMPARE(a.process().exitCode(), 2);
        QVERIFY2(a.standardError().contains(u"--clock-rate: '"_qs + rate),
                 qPrintable(a.standardError()));
    }
};

QTEST_GUILESS_MAIN(TestRealFaults)
#include "test_real_faults.moc"
