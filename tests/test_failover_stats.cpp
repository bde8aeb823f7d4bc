// Failover figures from hand-made lab events: latency per cause, median and p99, time without a
// leader, overlaps, caps; and the statistics panel showing them.

#include "support/columns.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"

#include "stats/failover_stats.h"
#include "stats/stats_panel.h"
#include "timeline/leadership_history.h"

#include <QBarSet>
#include <QChart>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTest>

#include <algorithm>
#include <random>

using namespace baton::lab;
using namespace lab_events;
using baton::Duration;
using baton::test::addColumns;

namespace {

LabTime ms(double v) {
    return std::chrono::duration_cast<LabTime>(std::chrono::duration<double, std::milli>(v));
}

/// A leader crashes once a second; the other elector is elected `latencies` (ms) later each time.
QVector<LabEvent> crashFailovers(const QVector<double>& latencies, double t = 1) {
    QVector<LabEvent> events{elected(0, t, 1, t + 1000)};
    int leader = 0;
    quint64 fence = 1;
    for (double latency : latencies) {
        t += 1;
        events.append(fault(leader, t, "crash", 0, true));
        const int next = 1 - leader;
        const double at = t + latency / 1000;
        events.append(elected(next, at, ++fence, at + 1000));
        events.append(fault(leader, at, "restart"));
        leader = next;
        t = at;
    }
    return events;
}

QLabel* label(const QWidget& panel, const char* name) {
    return panel.findChild<QLabel*>(QString::fromLatin1(name));
}

} // namespace

class TestFailoverStats : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    void latencyPerCause_data() {
        addColumns<QVector<LabEvent>, int, int, double>("events", "cause", "count", "latencyMs");

        const int crash = int(FailoverCause::Crash);
        const int pause = int(FailoverCause::Pause);
        const int partition = int(FailoverCause::Partition);
        const int stop = int(FailoverCause::Stop);
        const int other = int(FailoverCause::Other);
        QTest::newRow("crash") << QVector<LabEvent>{elected(0, 1, 1, 100),
                                                    fault(0, 10, "crash", 0, true),
                                                    elected(1, 15.2, 2, 120)}
                               << crash << 1 << 5200.0;
        QTest::newRow("pause: the term lapses, then someone else leads")
            << QVector<LabEvent>{elected(0, 1, 1, 14), fault(0, 10, "pause", 20, true),
                                 elected(1, 15.1, 2, 120)}
            << pause << 1 << 5100.0;
        QTest::newRow("partition: revoked at its deadline")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 10, "partition", 0, true),
                                 revoked(0, 14), elected(1, 14.5, 2, 120)}
            << partition << 1 << 4500.0;
        QTest::newRow("stop: the revocation is part of it")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 10, "stop", 0, true),
                                 revoked(0, 10.001), stopped(0, 10.002), elected(1, 10.004, 2, 50)}
            << stop << 1 << 4.0;
        QTest::newRow("revoked with nobody to blame")
            << QVector<LabEvent>{elected(0, 1, 1, 100), revoked(0, 10), elected(1, 10.5, 2, 50)}
            << other << 1 << 500.0;
        QTest::newRow("deadline lapsed with nobody to blame")
            << QVector<LabEvent>{elected(0, 1, 1, 10), elected(1, 10.75, 2, 50)} << other << 1
            << 750.0;
        QTest::newRow("the same elector elected again")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 10, "crash", 0, true),
                                 fault(0, 11, "restart"), elected(0, 16, 2, 50)}
            << crash << 1 << 6000.0;
        QTest::newRow("a fault on a leader still leading replaces an earlier one")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 10, "pause", 30, true),
                                 fault(0, 12, "crash", 0, true), elected(1, 15, 2, 50)}
            << crash << 1 << 3000.0;
        QTest::newRow("a pause shorter than the lease costs nothing; a later crash counts")
            << QVector<LabEvent>{elected(0, 1, 1, 6),
                                 fault(0, 5, "pause", 7, true),
                                 extended(0, 7, 1, 12),
                                 extended(0, 10, 1, 15),
                                 fault(0, 14, "crash", 0, true),
                                 elected(1, 19.5, 2, 50)}
            << crash << 1 << 5500.0;
        QTest::newRow("a healed partition costs nothing; a later stop counts")
            << QVector<LabEvent>{elected(0, 1, 1, 6),          fault(0, 3, "partition", 4, true),
                                 fault(0, 4, "heal"),          extended(0, 4.5, 1, 9),
                                 fault(0, 8, "stop", 0, true), revoked(0, 8.001),
                                 elected(1, 8.003, 2, 50)}
            << stop << 1 << 3.0;
        QTest::newRow("a follower crashed: no failover")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(1, 5, "crash", 0, false),
                                 fault(1, 6, "restart")}
            << crash << 0 << 0.0;
        QTest::newRow("revoked while another leads: no failover")
            << QVector<LabEvent>{elected(0, 1, 1, 100), elected(1, 5, 2, 100), revoked(0, 6)}
            << other << 0 << 0.0;
        QTest::newRow("latency on the leader: no failover")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 5, "latency", 8, true)} << other
            << 0 << 0.0;
        QTest::newRow("not yet over: nothing measured")
            << QVector<LabEvent>{elected(0, 1, 1, 100), fault(0, 10, "crash", 0, true)} << crash
            << 0 << 0.0;
    }

    void latencyPerCause() {
        QFETCH(QVector<LabEvent>, events);
        QFETCH(int, cause);
        QFETCH(int, count);
        QFETCH(double, latencyMs);
        FailoverStats stats;
        QSignalSpy changed(&stats, &FailoverStats::changed);
        stats.addEvents(events);
        QCOMPARE(changed.count(), 1);
        const LatencySummary s = stats.summary(FailoverCause(cause));
        QCOMPARE(s.count, count);
        QCOMPARE(stats.overall().count, count);
        if (count > 0) {
            QCOMPARE(s.last, ms(latencyMs));
            QCOMPARE(s.median, ms(latencyMs));
            QCOMPARE(stats.latencies(FailoverCause(cause)), QVector<Duration>{ms(latencyMs)});
        }
        for (int c = 0; c < failoverCauseCount; ++c)
            if (c != cause)
                QCOMPARE(stats.summary(FailoverCause(c)).count, 0);
    }

    void failoverInProgress() {
        FailoverStats stats;
        stats.addEvents({elected(0, 1, 1, 100), fault(0, 10, "partition", 0, true)});
        QVERIFY(stats.failoverInProgress());
        QCOMPARE(stats.failoverSince(), sec(10));
        QCOMPARE(stats.failoverCause(), FailoverCause::Partition);
        stats.addEvents({elected(1, 12, 2, 100)});
        QVERIFY(!stats.failoverInProgress());

        // A pause the leader outlives is no failover in progress once it extends again.
        stats.addEvents({fault(1, 20, "pause", 21, true)});
        QVERIFY(stats.failoverInProgress());
        stats.addEvents({fault(1, 21, "resume"), extended(1, 21.5, 2, 110)});
        QVERIFY(!stats.failoverInProgress());
    }

    void medianAndP99_data() {
        addColumns<QVector<double>, double, double>("latencies", "median", "p99");
        QVector<double> hundred;
        for (int i = 1; i <= 100; ++i)
            hundred.append(i);
        std::shuffle(hundred.begin(), hundred.end(), std::mt19937(3));
        QTest::newRow("1..100 ms, shuffled") << hundred << 50.0 << 99.0;
        QTest::newRow("one slow outlier")
            << QVector<double>{10, 40, 20, 1000, 30} << 30.0 << 1000.0;
        QTest::newRow("one") << QVector<double>{7} << 7.0 << 7.0;
        QTest::newRow("two") << QVector<double>{9, 3} << 3.0 << 9.0;
    }

    void medianAndP99() {
        QFETCH(QVector<double>, latencies);
        QFETCH(double, median);
        QFETCH(double, p99);
        FailoverStats stats;
        stats.addEvents(crashFailovers(latencies));
        const LatencySummary s = stats.summary(FailoverCause::Crash);
        QCOMPARE(s.count, latencies.size());
        // Nanosecond rounding of the hand-made times: compare to the microsecond.
        QCOMPARE(std::chrono::round<std::chrono::microseconds>(s.last),
                 std::chrono::round<std::chrono::microseconds>(ms(latencies.back())));
        QCOMPARE(std::chrono::round<std::chrono::microseconds>(s.median),
                 std::chrono::round<std::chrono::microseconds>(ms(median)));
        QCOMPARE(std::chrono::round<std::chrono::microseconds>(s.p99),
                 std::chrono::round<std::chrono::microseconds>(ms(p99)));
        QCOMPARE(stats.overall().count, latencies.size());
    }

    void latenciesAreCapped() {
        FailoverStats stats;
        stats.setLatencyCap(10);
        QVector<double> latencies;
        for (int i = 1; i <= 50; ++i)
            latencies.append(i * 10);
        stats.addEvents(crashFailovers(latencies));
        const QVector<Duration> kept = stats.latencies(FailoverCause::Crash);
        QCOMPARE(kept.size(), 10);
        QCOMPARE(std::chrono::round<std::chrono::milliseconds>(kept.front()),
                 std::chrono::milliseconds(410));
        const LatencySummary s = stats.summary(FailoverCause::Crash);
        QCOMPARE(s.count, 50);
        QCOMPARE(s.kept, 10);
        QCOMPARE(std::chrono::round<std::chrono::milliseconds>(s.last),
                 std::chrono::milliseconds(500));
        QCOMPARE(std::chrono::round<std::chrono::milliseconds>(s.median),
                 std::chrono::milliseconds(450));
        QCOMPARE(stats.overall().kept, 10);
    }

    void timeWithoutLeader() {
        FailoverStats stats;
        // Before the first election nothing counts
        stats.setSnapshot(snapshot(1));
        QCOMPARE(stats.timeWithoutLeader(), Duration{});
        stats.addEvents({elected(0, 1, 1, 100), revoked(0, 5), elected(1, 7, 2, 100)});
        QCOMPARE(stats.timeWithoutLeader(), sec(2));
        stats.setSnapshot(snapshot(8));
        QCOMPARE(stats.timeWithoutLeader(), sec(2));
        // A gap still open counts up to now
        stats.addEvents({revoked(1, 10)});
        stats.setSnapshot(snapshot(13));
        QCOMPARE(stats.timeWithoutLeader(), sec(5));
        // A term that lapses at its deadline leaves no leader from then on
        stats.addEvents({elected(2, 13, 3, 15)});
        stats.setSnapshot(snapshot(16));
        QCOMPARE(stats.timeWithoutLeader(), sec(6));
    }

    void overlaps() {
        FailoverStats stats;
        stats.addEvents({elected(0, 1, 1, 100), elected(1, 3, 2, 100), revoked(0, 4)});
        QCOMPARE(stats.overlapCount(), 1);
        QCOMPARE(stats.overlapTotal(), sec(1));
        stats.addEvents({elected(2, 10, 3, 12)});
        stats.setSnapshot(snapshot(15));
        QCOMPARE(stats.overlapCount(), 2);
        QCOMPARE(stats.overlapTotal(), sec(3));
        // One still going counts up to now
        stats.addEvents({elected(0, 20, 4, 100)});
        stats.setSnapshot(snapshot(21));
        QCOMPARE(stats.overlapCount(), 3);
        QCOMPARE(stats.overlapTotal(), sec(4));
    }

    // Given terms whose fences rise, then an election with a fence not above the highest, then
    // the checker's fence order counts that election (a term joined mid-way repeats its fence
    // and is no violation), and the panel says so in the error colour.
    void fenceOrder() {
        FailoverStats stats;
        stats.addEvents({extended(0, 1, 5, 2), elected(1, 3, 6, 4), extended(0, 5, 5, 6)});
        QCOMPARE(stats.fenceOrderViolations(), 0);
        QVERIFY(stats.firstFenceViolation().isEmpty());
        StatsPanel panel(&stats);
        panel.show();
        QTRY_COMPARE(label(panel, "fenceOrder")->text(), QStringLiteral("strictly increasing"));
        const QColor normal = label(panel, "fenceOrder")->palette().color(QPalette::WindowText);
        stats.addEvents({elected(2, 7, 6, 8), elected(1, 9, 4, 10), elected(0, 11, 7, 12)});
        QCOMPARE(stats.fenceOrderViolations(), 2);
        QCOMPARE(stats.firstFenceViolation(),
                 QStringLiteral("%1 elected at 7.000 s with fence 6, not above 6").arg(who(2)));
        QTRY_VERIFY(
            label(panel, "fenceOrder")->text().startsWith(QStringLiteral("2 out of order")));
        QVERIFY(label(panel, "fenceOrder")->palette().color(QPalette::WindowText) != normal);
        stats.clear();
        QCOMPARE(stats.fenceOrderViolations(), 0);
    }

    void storeOpsFromTheSnapshot() {
        FailoverStats stats;
        ClusterSnapshot s = snapshot(5);
        s.storeOpsPerSecond = 123.5;
        stats.setSnapshot(s);
        QCOMPARE(stats.storeOpsPerSecond(), 123.5);
    }

    void sameTermsAsTheTimeline() {
        // Given one random run fed to both the history and the statistics
        std::mt19937 rng(11);
        QVector<LabEvent> events;
        double t = 0;
        quint64 fence = 0;
        for (int i = 0; i < 200; ++i) {
            const int id = int(rng() % 3);
            t += (rng() % 300) / 100.0;
            events.append(elected(id, t, ++fence, t + 1 + (rng() % 300) / 100.0));
            t += (rng() % 200) / 100.0;
            if (rng() % 2)
                events.append(revoked(id, t));
        }
        LeadershipHistory history;
        FailoverStats stats;
        history.addEvents(events);
        stats.addEvents(events);
        history.setSnapshot(snapshot(t + 10));
        stats.setSnapshot(snapshot(t + 10));
        // Then the time no term covers (after the first) is the statistics' time without leader
        QVector<std::pair<LabTime, LabTime>> spans;
        for (int id : history.electors())
            for (const TermItem& term : history.terms(id, LabTime::min(), LabTime::max()))
                spans.append({term.begin, term.endOr(history.now())});
        std::sort(spans.begin(), spans.end());
        Duration gaps{};
        LabTime reach = spans.front().first;
        for (const auto& [b, e] : spans) {
            if (b > reach)
                gaps += b - reach;
            reach = std::max(reach, e);
        }
        gaps += history.now() - std::min(reach, history.now());
        QCOMPARE(stats.timeWithoutLeader(), gaps);
        QCOMPARE(stats.overlapCount(), history.overlapCount());
    }

    void clearStartsOver() {
        FailoverStats stats;
        stats.addEvents(crashFailovers({100, 200}));
        stats.clear();
        QCOMPARE(stats.overall().count, 0);
        QCOMPARE(stats.timeWithoutLeader(), Duration{});
        QVERIFY(stats.latencies(FailoverCause::Crash).isEmpty());
    }

    // --- the panel ---------------------------------------------------------------------------

    void panelShowsTheFigures() {
        FailoverStats stats;
        QVector<LabEvent> events = crashFailovers({100, 300, 200});
        // Then the leader (elector 1 after three handovers) revoked with nobody to blame, and
        // 500 ms until the next election
        const double t = events.back().at.count() / 1e9;
        events.append(revoked(1, t + 1));
        events.append(elected(0, t + 1.5, 99, t + 100));
        stats.addEvents(events);
        ClusterSnapshot s = snapshot(t + 2);
        s.storeOpsPerSecond = 42.24;
        stats.setSnapshot(s);

        StatsPanel panel(&stats);
        panel.resize(700, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTRY_COMPARE(label(panel, "failoverCount")->text(), QStringLiteral("4"));
        // Every figure in its label.
        const std::pair<const char*, QString> figures[] = {
            {"lastLatency", QStringLiteral("500 ms")}, {"medianLatency", QStringLiteral("200 ms")},
            {"p99Latency", QStringLiteral("500 ms")},  {"count_crash", QStringLiteral("3")},
            {"last_crash", QStringLiteral("200 ms")},  {"median_crash", QStringLiteral("200 ms")},
            {"p99_crash", QStringLiteral("300 ms")},   {"count_other", QStringLiteral("1")},
            {"count_pause", QStringLiteral("0")},      {"median_pause", QStringLiteral("\u2014")},
        };
        for (const auto& [name, text] : figures)
            QCOMPARE(label(panel, name)->text(), text);
        QCOMPARE(label(panel, "storeOps")->text(), QStringLiteral("42.2 per second"));
        QVERIFY(label(panel, "timeWithoutLeader")->text().endsWith(QStringLiteral(" s")));
        QCOMPARE(label(panel, "overlaps")->text(), QStringLiteral("0 (0.000 s in all)"));
        QCOMPARE(label(panel, "failoverNow")->text(), QStringLiteral("none"));

        // The chart: one stacked series, a bar set per cause, every failover in a bucket
        const auto series = panel.chart()->series();
        QCOMPARE(series.size(), 1);
        auto* bars = qobject_cast<QStackedBarSeries*>(series.front());
        QVERIFY(bars);
        const QList<QBarSet*> sets = bars->barSets();
        QCOMPARE(sets.size(), failoverCauseCount);
        QStringList names;
        for (QBarSet* set : sets)
            names.append(set->label());
        QCOMPARE(names, (QStringList{QStringLiteral("crash"), QStringLiteral("pause"),
                                     QStringLiteral("partition"), QStringLiteral("stop"),
                                     QStringLiteral("other")}));
        QCOMPARE(sets[0]->sum(), 3.0);
        QCOMPARE(sets[4]->sum(), 1.0);
        QCOMPARE(sets[1]->sum() + sets[2]->sum() + sets[3]->sum(), 0.0);
        QVERIFY(sets[0]->count() >= 2); // 100..500 ms spread over several buckets
    }

    void panelCoalescesChanges() {
        FailoverStats stats;
        StatsPanel panel(&stats);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(label(panel, "failoverCount")->text(), QStringLiteral("0"));
        // When many changes arrive at once
        const QVector<LabEvent> events = crashFailovers({10, 20, 30, 40});
        for (const LabEvent& e : events)
            stats.addEvents({e});
        // Then the panel waits for its next refresh instead of redrawing for each
        QCOMPARE(label(panel, "failoverCount")->text(), QStringLiteral("0"));
        QTRY_COMPARE(label(panel, "failoverCount")->text(), QStringLiteral("4"));
        stats.addEvents({fault(0, 100, "crash", 0, true)});
        QTRY_VERIFY(label(panel, "failoverNow")->text().contains(QStringLiteral("crash")));
    }

    void panelWithNoData() {
        FailoverStats stats;
        StatsPanel panel(&stats);
        panel.resize(400, 300);
        QVERIFY(!panel.grab().toImage().isNull());
        QCOMPARE(label(panel, "lastLatency")->text(), QStringLiteral("\u2014"));
        QVERIFY(panel.chart()->title().contains(QStringLiteral("none yet")));
    }
};

QTEST_MAIN(TestFailoverStats)
#include "test_failover_stats.moc"
