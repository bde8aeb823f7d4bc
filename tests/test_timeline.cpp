// The lab's leadership history (terms, ticks, faults, the store lane, overlaps, retention) on
// hand-made events, and the timeline view painting it: following live, scrolling, tooltips,
// export.

#include "support/columns.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"

#include "timeline/leadership_history.h"
#include "timeline/timeline_view.h"

#include <QImage>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QXmlStreamReader>

#include <random>

using namespace baton::lab;
using namespace lab_events;
using baton::test::addColumns;

namespace {

QScrollBar* horizontalBar(TimelineView& view) {
    for (QScrollBar* bar : view.findChildren<QScrollBar*>())
        if (bar->orientation() == Qt::Horizontal)
            return bar;
    return nullptr;
}

// A history fed `events` and then a snapshot at 10 s.
struct FedHistory {
    explicit FedHistory(const QVector<LabEvent>& events) {
        history.addEvents(events);
        history.setSnapshot(snapshot(10));
    }
    LeadershipHistory history;
};

// Its timeline, made once the history is fed, shown at 600 x 260: what the exports draw.
struct ShownTimeline : FedHistory {
    explicit ShownTimeline(const QVector<LabEvent>& events)
        : FedHistory(events)
        , view(&history) {
        view.resize(600, 260);
        view.show();
    }
    TimelineView view;
};

} // namespace

class TestTimeline : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // --- the history -------------------------------------------------------------------------

    void termWithExtendTicks() {
        // Given an elector elected, extended twice, then revoked
        LeadershipHistory h;
        QSignalSpy changed(&h, &LeadershipHistory::changed);
        h.addEvents({elected(0, 1, 12, 6), extended(0, 2, 12, 7), extended(0, 3, 12, 8),
                     revoked(0, 4.5, 12)});
        // Then one closed term from elected to revoked, with both extends as ticks
        QCOMPARE(changed.count(), 1);
        const QVector<TermItem> terms = h.terms(0, sec(0), sec(100));
        QCOMPARE(terms.size(), 1);
        QCOMPARE(terms[0].begin, sec(1));
        QCOMPARE(terms[0].end, sec(4.5));
        QVERIFY(!terms[0].open);
        QCOMPARE(terms[0].fence, 12u);
        QCOMPARE(terms[0].deadline, sec(8));
        QCOMPARE(terms[0].how, TermEnd::Revoked);
        QCOMPARE(h.extendTicks(0, sec(0), sec(100)), (QVector<LabTime>{sec(2), sec(3)}));
        QCOMPARE(h.extendTicks(0, sec(2.5), sec(100)), QVector<LabTime>{sec(3)});
        QCOMPARE(h.identity(0), QStringLiteral("elector-0"));
    }

    void termEnds_data() {
        // snapshotAt: 0: no snapshot
        addColumns<QVector<LabEvent>, double, double, int>("after", "snapshotAt", "end", "how");
        // Every term: elector 0 elected at 1 s with its deadline at 6 s.
        QTest::newRow("revoked") << QVector<LabEvent>{revoked(0, 4)} << 0.0 << 4.0
                                 << int(TermEnd::Revoked);
        QTest::newRow("stopped") << QVector<LabEvent>{stopped(0, 4)} << 0.0 << 4.0
                                 << int(TermEnd::Stopped);
        QTest::newRow("crash fault") << QVector<LabEvent>{fault(0, 4, "crash", 0, true)} << 0.0
                                     << 4.0 << int(TermEnd::Crashed);
        QTest::newRow("stop fault") << QVector<LabEvent>{fault(0, 4, "stop", 0, true)} << 0.0 << 4.0
                                    << int(TermEnd::Stopped);
        QTest::newRow("elected again")
            << QVector<LabEvent>{elected(0, 4, 13, 9)} << 0.0 << 4.0 << int(TermEnd::Reelected);
        QTest::newRow("snapshot past the deadline")
            << QVector<LabEvent>{} << 10.0 << 6.0 << int(TermEnd::Deadline);
        QTest::newRow("next event past the deadline")
            << QVector<LabEvent>{elected(1, 9, 13, 14)} << 0.0 << 6.0 << int(TermEnd::Deadline);
        QTest::newRow("revoked late, after the deadline")
            << QVector<LabEvent>{revoked(0, 8)} << 0.0 << 6.0 << int(TermEnd::Deadline);
        QTest::newRow("crash after the deadline")
            << QVector<LabEvent>{fault(0, 8, "crash")} << 0.0 << 6.0 << int(TermEnd::Deadline);
        QTest::newRow("a pause does not end it, its deadline does")
            << QVector<LabEvent>{fault(0, 2, "pause", 20, true)} << 12.0 << 6.0
            << int(TermEnd::Deadline);
    }

    void termEnds() {
        QFETCH(QVector<LabEvent>, after);
        QFETCH(double, snapshotAt);
        QFETCH(double, end);
        QFETCH(int, how);
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 12, 6)});
        h.addEvents(after);
        if (snapshotAt > 0)
            h.setSnapshot(snapshot(snapshotAt));
        const QVector<TermItem> terms = h.terms(0, sec(0), sec(1000));
        QVERIFY(!terms.isEmpty());
        QCOMPARE(terms[0].begin, sec(1));
        QVERIFY(!terms[0].open);
        QCOMPARE(terms[0].end, sec(end));
        QCOMPARE(int(terms[0].how), how);
    }

    void openTermLastsUntilNow() {
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 3, 100)});
        h.setSnapshot(snapshot(5));
        const QVector<TermItem> terms = h.terms(0, sec(4), sec(5));
        QCOMPARE(terms.size(), 1);
        QVERIFY(terms[0].open);
        QCOMPARE(terms[0].endOr(h.now()), sec(5));
        // Items after now are not there; before the term neither.
        QVERIFY(h.terms(0, sec(0), sec(0.5)).isEmpty());
    }

    void snapshotStillLeadingKeepsTheTermOpen() {
        // Given a snapshot past the term's deadline that still shows the elector leading with a
        // later deadline (its extend event is on its way)
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 3, 6)});
        ClusterSnapshot s = snapshot(7);
        s.electors[0].believesLeader = true;
        s.electors[0].leaseStart = sec(5.5);
        s.electors[0].leaseEnd = sec(11);
        h.setSnapshot(s);
        QVERIFY(h.terms(0, sec(0), sec(10))[0].open);
        // When the extend arrives late, the term carries on
        h.addEvents({extended(0, 5.5, 3, 11)});
        QVERIFY(h.terms(0, sec(0), sec(10))[0].open);
        // And it lapses at the snapshot's deadline when nothing more comes
        h.setSnapshot(snapshot(12));
        QCOMPARE(h.terms(0, sec(0), sec(20))[0].end, sec(11));
    }

    void faults_data() {
        // end: -1: still open
        addColumns<QVector<LabEvent>, double, QString, double, bool>("events", "now", "kind", "end",
                                                                     "instant");
        QTest::newRow("pause, resume")
            << QVector<LabEvent>{fault(0, 2, "pause"), fault(0, 5, "resume")} << 10.0
            << QStringLiteral("pause") << 5.0 << false;
        QTest::newRow("partition, heal")
            << QVector<LabEvent>{fault(0, 2, "partition"), fault(0, 4, "heal")} << 10.0
            << QStringLiteral("partition") << 4.0 << false;
        QTest::newRow("crash, restart")
            << QVector<LabEvent>{fault(0, 2, "crash"), fault(0, 6, "restart")} << 10.0
            << QStringLiteral("crash") << 6.0 << false;
        QTest::newRow("crash, start")
            << QVector<LabEvent>{fault(0, 2, "crash"), fault(0, 6, "start")} << 10.0
            << QStringLiteral("crash") << 6.0 << false;
        QTest::newRow("stop, start") << QVector<LabEvent>{fault(0, 2, "stop"), fault(0, 7, "start")}
                                     << 10.0 << QStringLiteral("stop") << 7.0 << false;
        QTest::newRow("stop, restart")
            << QVector<LabEvent>{fault(0, 2, "stop"), fault(0, 7, "restart")} << 10.0
            << QStringLiteral("stop") << 7.0 << false;
        QTest::newRow("pause until, passed") << QVector<LabEvent>{fault(0, 2, "pause", 4)} << 10.0
                                             << QStringLiteral("pause") << 4.0 << false;
        QTest::newRow("pause until, not yet") << QVector<LabEvent>{fault(0, 2, "pause", 40)} << 10.0
                                              << QStringLiteral("pause") << -1.0 << false;
        QTest::newRow("pause until, resumed early")
            << QVector<LabEvent>{fault(0, 2, "pause", 40), fault(0, 3, "resume")} << 50.0
            << QStringLiteral("pause") << 3.0 << false;
        QTest::newRow("partition, open") << QVector<LabEvent>{fault(0, 2, "partition")} << 10.0
                                         << QStringLiteral("partition") << -1.0 << false;
        QTest::newRow("resume does not heal")
            << QVector<LabEvent>{fault(0, 2, "partition"), fault(0, 3, "resume")} << 10.0
            << QStringLiteral("partition") << -1.0 << false;
        QTest::newRow("latency replaced by the next")
            << QVector<LabEvent>{fault(0, 2, "latency", 9), fault(0, 3, "latency", 5)} << 4.0
            << QStringLiteral("latency") << 3.0 << false;
        QTest::newRow("timing") << QVector<LabEvent>{fault(0, 3, "timing")} << 10.0
                                << QStringLiteral("timing") << 3.0 << true;
        QTest::newRow("drift") << QVector<LabEvent>{fault(0, 3, "drift")} << 10.0
                               << QStringLiteral("drift") << 3.0 << true;
    }

    void faults() {
        QFETCH(QVector<LabEvent>, events);
        QFETCH(double, now);
        QFETCH(QString, kind);
        QFETCH(double, end);
        QFETCH(bool, instant);
        LeadershipHistory h;
        h.addEvents(events);
        h.setSnapshot(snapshot(now));
        const QVector<FaultItem> faults = h.faults(0, sec(0), sec(1000));
        QVERIFY(!faults.isEmpty());
        const FaultItem& f = faults[0];
        QCOMPARE(f.kind, kind);
        QCOMPARE(f.begin, events[0].at);
        QCOMPARE(f.instant, instant);
        if (end < 0) {
            QVERIFY(f.open);
            QCOMPARE(f.endOr(h.now()), sec(now));
        } else {
            QVERIFY(!f.open);
            QCOMPARE(f.end, sec(end));
        }
    }

    void clusterFaultsOnTheStoreLane() {
        LeadershipHistory h;
        h.addEvents({fault(-1, 2, "partition"), fault(-1, 5, "heal")});
        const QVector<FaultItem> faults = h.clusterFaults(sec(0), sec(10));
        QCOMPARE(faults.size(), 1);
        QCOMPARE(faults[0].end, sec(5));
        QVERIFY(h.electors().isEmpty());
    }

    void storeLane() {
        LeadershipHistory h;
        h.addEvents({holder(0, 1, 1), holder(1, 5, 2), freed(8), holder(0, 9, 3)});
        h.setSnapshot(snapshot(12));
        const QVector<HolderItem> all = h.holders(sec(0), sec(20));
        QCOMPARE(all.size(), 3);
        QCOMPARE(all[0].begin, sec(1));
        QCOMPARE(all[0].end, sec(5));
        QCOMPARE(all[0].elector, 0);
        QCOMPARE(all[0].fence, 1u);
        QCOMPARE(all[1].identity, who(1));
        QCOMPARE(all[1].end, sec(8));
        QVERIFY(all[2].open);
        QCOMPARE(all[2].fence, 3u);
        // Nothing held between "free" and the next holder
        QVERIFY(h.holders(sec(8.5), sec(8.9)).isEmpty());
    }

    void overlaps() {
        LeadershipHistory h;
        // Given elector 1 elected while elector 0 still believes it leads
        h.addEvents({elected(0, 1, 1, 10), elected(1, 4, 2, 100), revoked(0, 6)});
        QCOMPARE(h.overlapCount(), 1);
        QVector<OverlapItem> o = h.overlaps(sec(0), sec(100));
        QCOMPARE(o.size(), 1);
        QCOMPARE(o[0].begin, sec(4));
        QCOMPARE(o[0].end, sec(6));
        QCOMPARE(o[0].electors, (QVector<int>{0, 1}));
        // Given a second one that ends at a self-fencing deadline
        h.addEvents({elected(2, 30, 3, 33)});
        h.setSnapshot(snapshot(40));
        o = h.overlaps(sec(25), sec(100));
        QCOMPARE(o.size(), 1);
        QCOMPARE(o[0].begin, sec(30));
        QCOMPARE(o[0].end, sec(33));
        QCOMPARE(o[0].electors, (QVector<int>{1, 2}));
        // No overlap where terms follow each other
        QVERIFY(h.overlaps(sec(7), sec(29)).isEmpty());
    }

    void lateEventCountsAtTheLatestTime() {
        LeadershipHistory h;
        h.addEvents({elected(0, 10, 1, 20), revoked(0, 5)});
        const QVector<TermItem> terms = h.terms(0, sec(0), sec(100));
        QCOMPARE(terms[0].end, sec(10));
    }

    void queriesMatchAScanOfEverything() {
        // Given a lane with many terms and faults of mixed lengths, some long and overlapping
        LeadershipHistory h;
        std::mt19937 rng(7);
        QVector<LabEvent> events;
        double t = 0;
        quint64 fence = 0;
        events.append(fault(0, 0.5, "partition", 400));
        for (int i = 0; i < 300; ++i) {
            t += 0.1 + (rng() % 100) / 100.0;
            events.append(elected(0, t, ++fence, t + 100));
            t += 0.1 + (rng() % 100) / 100.0;
            events.append(revoked(0, t));
            if (i % 7 == 0) {
                events.append(fault(0, t, "pause", t + 0.05 + (rng() % 500) / 100.0));
            }
        }
        h.addEvents(events);
        h.setSnapshot(snapshot(t + 1));
        const QVector<TermItem> allTerms = h.terms(0, LabTime::min(), LabTime::max());
        const QVector<FaultItem> allFaults = h.faults(0, LabTime::min(), LabTime::max());
        QCOMPARE(allTerms.size(), 300);
        // Then every window returns exactly what a scan of all items finds
        for (int i = 0; i < 200; ++i) {
            const LabTime a = sec((rng() % 40000) / 100.0);
            const LabTime b = a + sec((rng() % 2000) / 100.0);
            qsizetype expectTerms = 0;
            for (const TermItem& x : allTerms)
                expectTerms += x.begin <= b && x.endOr(h.now()) >= a;
            qsizetype expectFaults = 0;
            for (const FaultItem& x : allFaults)
                expectFaults += x.begin <= b && x.endOr(h.now()) >= a;
            QCOMPARE(h.terms(0, a, b).size(), expectTerms);
            QCOMPARE(h.faults(0, a, b).size(), expectFaults);
        }
    }

    void retentionDropsOldItems() {
        LeadershipHistory h;
        h.setRetention(sec(60));
        // Given ten minutes of terms, one every ten seconds, each extended every second
        for (int i = 0; i < 60; ++i) {
            QVector<LabEvent> batch{elected(i % 3, i * 10, quint64(i + 1), i * 10 + 5)};
            for (int k = 1; k < 9; ++k)
                batch.append(extended(i % 3, i * 10 + k, quint64(i + 1), i * 10 + k + 5));
            batch.append(revoked(i % 3, i * 10 + 9));
            batch.append(holder(i % 3, i * 10, quint64(i + 1)));
            batch.append(fault(i % 3, i * 10 + 2, "pause", i * 10 + 3));
            h.addEvents(batch);
            h.setSnapshot(snapshot(i * 10 + 9.5));
        }
        // Then only what ended in the last minute is kept
        QVERIFY(h.earliest() >= h.now() - sec(70));
        for (int id : h.electors()) {
            for (const TermItem& t : h.terms(id, LabTime::min(), LabTime::max()))
                QVERIFY(t.open || t.end >= h.now() - sec(60));
            QVERIFY(h.itemCount(id) <= 2 * 3 + 9 * 3);
        }
        QVERIFY(h.storeItemCount() <= 8);
    }

    void capBoundsEachLane() {
        // Given a short run with far more items than the cap, all inside the retention window
        LeadershipHistory h;
        h.setCap(100);
        QVector<LabEvent> events;
        for (int i = 0; i < 5000; ++i) {
            const double t = i * 0.01;
            events.append(elected(i % 2, t, quint64(i + 1), t + 1));
            events.append(extended(i % 2, t + 0.002, quint64(i + 1), t + 1));
            events.append(holder(i % 2, t, quint64(i + 1)));
            events.append(fault(i % 2, t, "timing"));
            events.append(fault(-1, t, "drift"));
        }
        h.addEvents(events);
        // Then no lane holds more than the cap of each kind
        for (int id : h.electors())
            QVERIFY2(h.itemCount(id) <= 300, qPrintable(QString::number(h.itemCount(id))));
        QVERIFY(h.storeItemCount() <= 200);
        QVERIFY(h.overlapCount() <= 100);
        // And the newest are the ones kept
        const QVector<TermItem> last = h.terms(1, sec(49), sec(60));
        QVERIFY(!last.isEmpty());
        QCOMPARE(last.back().fence, 5000u);
    }

    void lanesFromTheSnapshot() {
        LeadershipHistory h;
        ClusterSnapshot s = snapshot(1, 2);
        s.electors[1].identity = QStringLiteral("agent-b");
        h.setSnapshot(s);
        QCOMPARE(h.electors(), (QVector<int>{0, 1}));
        QCOMPARE(h.identity(1), QStringLiteral("agent-b"));
        QCOMPARE(h.identity(7), QStringLiteral("elector 7"));
    }

    void clearEmptiesEverything() {
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 1, 10), holder(0, 1, 1), fault(0, 2, "pause")});
        QSignalSpy changed(&h, &LeadershipHistory::changed);
        h.clear();
        QCOMPARE(changed.count(), 1);
        QVERIFY(h.electors().isEmpty());
        QCOMPARE(h.storeItemCount(), 0);
        QCOMPARE(h.now(), LabTime{});
    }

    // --- the view ----------------------------------------------------------------------------

    void rendersAtSeveralSizes_data() {
        addColumns<QSize, int>("size", "electors");
        QTest::newRow("tiny") << QSize(1, 1) << 3;
        QTest::newRow("small") << QSize(60, 40) << 3;
        QTest::newRow("typical") << QSize(800, 300) << 5;
        QTest::newRow("wide, many lanes") << QSize(2400, 400) << 100;
        QTest::newRow("tall") << QSize(300, 3000) << 100;
    }

    void rendersAtSeveralSizes() {
        QFETCH(QSize, size);
        QFETCH(int, electors);
        LeadershipHistory h;
        QVector<LabEvent> events;
        for (int i = 0; i < 400; ++i) {
            const int id = i % electors;
            events.append(elected(id, i * 0.5, quint64(i + 1), i * 0.5 + 2));
            events.append(extended(id, i * 0.5 + 0.2, quint64(i + 1), i * 0.5 + 2.2));
            events.append(holder(id, i * 0.5, quint64(i + 1)));
            if (i % 10 == 0)
                events.append(fault(id, i * 0.5 + 0.1, "pause", i * 0.5 + 1));
        }
        h.addEvents(events);
        h.setSnapshot(snapshot(201, electors));
        TimelineView view(&h);
        view.resize(size);
        view.show();
        const QImage shot = view.grab().toImage();
        QVERIFY(!shot.isNull());
        view.zoomOut();
        view.zoomOut();
        QVERIFY(!view.grab().toImage().isNull());
        view.zoomIn();
        view.setFollowLive(false);
        QVERIFY(!view.grab().toImage().isNull());
    }

    void followsLiveThenStopsWhenScrolled() {
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 1, 100)});
        h.setSnapshot(snapshot(300));
        TimelineView view(&h);
        view.resize(800, 300);
        view.show();
        QSignalSpy follow(&view, &TimelineView::followLiveChanged);
        // Given a live view, the right edge is now and moves with it
        QVERIFY(view.followLive());
        QCOMPARE(view.visibleEnd(), sec(300));
        h.setSnapshot(snapshot(310));
        QCOMPARE(view.visibleEnd(), sec(310));

        // When the operator scrolls back, the window stays put as time goes on
        QScrollBar* bar = horizontalBar(view);
        QVERIFY(bar);
        QVERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());
        bar->setValue(bar->maximum() / 2);
        QVERIFY(!view.followLive());
        QCOMPARE(follow.count(), 1);
        const LabTime end = view.visibleEnd();
        QVERIFY(end < sec(310));
        h.setSnapshot(snapshot(320));
        QCOMPARE(view.visibleEnd(), end);

        // Scrolled to the end, it follows again
        bar->setValue(bar->maximum());
        QVERIFY(view.followLive());
        QCOMPARE(view.visibleEnd(), sec(320));

        // A drag to the right goes back in time; End follows again
        const QPoint mid = view.plotRect().center();
        QTest::mousePress(&view, Qt::LeftButton, {}, mid);
        QTest::mouseMove(&view, mid + QPoint(200, 0));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, mid + QPoint(200, 0));
        QVERIFY(!view.followLive());
        QVERIFY(view.visibleEnd() < sec(320));
        QTest::keyClick(&view, Qt::Key_End);
        QVERIFY(view.followLive());

        // setFollowLive(false) keeps the window where it is
        view.setFollowLive(false);
        h.setSnapshot(snapshot(330));
        QCOMPARE(view.visibleEnd(), sec(320));
    }

    void zoomKeepsWithinBounds() {
        LeadershipHistory h;
        h.setSnapshot(snapshot(100));
        TimelineView view(&h);
        view.resize(800, 300);
        view.show();
        const double pps = view.pixelsPerSecond();
        QTest::keyClick(&view, Qt::Key_Plus);
        QVERIFY(view.pixelsPerSecond() > pps);
        QTest::keyClick(&view, Qt::Key_Minus);
        QCOMPARE(view.pixelsPerSecond(), pps);
        // Ctrl+wheel zooms in around the pointer
        const QPointF at = view.plotRect().center();
        QWheelEvent wheel(at, view.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(&view, &wheel);
        QVERIFY(view.pixelsPerSecond() > pps);
        for (int i = 0; i < 200; ++i)
            view.zoomIn();
        QVERIFY(std::isfinite(view.pixelsPerSecond()));
        QVERIFY(!view.grab().toImage().isNull());
        for (int i = 0; i < 400; ++i)
            view.zoomOut();
        QVERIFY(view.pixelsPerSecond() > 0);
        QVERIFY(!view.grab().toImage().isNull());
    }

    void tooltipAtABar() {
        LeadershipHistory h;
        h.addEvents({elected(2, 12.345, 7, 20), revoked(2, 17.001), fault(2, 18, "pause", 19.5)});
        ClusterSnapshot s = snapshot(20);
        h.setSnapshot(s);
        TimelineView view(&h);
        view.resize(800, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QRect lane = view.laneRect(2);
        QVERIFY(!lane.isEmpty());
        const QPoint atBar(view.xForTime(sec(15)), lane.center().y());
        const QString expected =
            QStringLiteral("elector-2 leader #7 from 12.345 s to 17.001 s (4.656 s)");
        QVERIFY2(view.toolTipAt(atBar).startsWith(expected), qPrintable(view.toolTipAt(atBar)));

        // The tooltip event shows the same text
        QHelpEvent help(QEvent::ToolTip, atBar, view.mapToGlobal(atBar));
        QCoreApplication::sendEvent(&view, &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY(QToolTip::text().startsWith(expected));

        // Over the fault: its kind and exact times
        const QPoint atFault(view.xForTime(sec(19)), lane.center().y());
        QVERIFY2(view.toolTipAt(atFault).contains(
                     QStringLiteral("elector-2 pause from 18.000 s to 19.500 s (1.500 s)")),
                 qPrintable(view.toolTipAt(atFault)));
        // Over nothing: no tooltip
        const QPoint empty(view.xForTime(sec(5)), lane.center().y());
        QVERIFY(view.toolTipAt(empty).isEmpty());
    }

    void tooltipOnStoreLaneAndOverlap() {
        LeadershipHistory h;
        h.addEvents({elected(0, 1, 1, 10), holder(0, 1, 1), elected(1, 4, 2, 20), revoked(0, 6)});
        h.setSnapshot(snapshot(8));
        TimelineView view(&h);
        view.resize(800, 300);
        view.show();
        const QRect store = view.laneRect(TimelineView::StoreLane);
        const QString atStore = view.toolTipAt({view.xForTime(sec(2)), store.center().y()});
        QVERIFY2(atStore.startsWith(QStringLiteral("lock held by elector-0 #1 since 1.000 s")),
                 qPrintable(atStore));
        const QString atOverlap =
            view.toolTipAt({view.xForTime(sec(5)), view.laneRect(1).center().y()});
        QVERIFY2(atOverlap.contains(QStringLiteral(
                     "overlap: elector-0 and elector-1 led at once from 4.000 s to 6.000 s")),
                 qPrintable(atOverlap));
    }

    void exportPng() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ShownTimeline shown({elected(0, 1, 7, 30), extended(0, 2, 7, 31), elected(1, 5, 8, 30),
                             holder(0, 1, 7), fault(2, 3, "partition")});
        TimelineView& view = shown.view;
        const QString path = dir.filePath(QStringLiteral("timeline.png"));
        QString error;
        QVERIFY2(view.exportPng(path, &error), qPrintable(error));
        QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), view.exportSize());
        QCOMPARE(image.width(), view.width()); // three lanes fit: no vertical scroll bar
        // Not blank: the bars' colour is there, and many colours in all
        const QRgb bar = view.palette().color(QPalette::Highlight).rgb();
        QSet<QRgb> colours;
        bool sawBar = false;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2) {
                const QRgb c = image.pixel(x, y);
                colours.insert(c);
                sawBar = sawBar || c == bar;
            }
        QVERIFY(sawBar);
        QVERIFY(colours.size() > 4);
    }

    void exportErrorsSayWhy() {
        LeadershipHistory h;
        TimelineView view(&h);
        QString error;
        QVERIFY(!view.exportPng(QString(), &error));
        QVERIFY(error.contains(QStringLiteral(".png")));
        const QString bad = QStringLiteral("/nonexistent-dir-for-baton/timeline.png");
        QVERIFY(!view.exportPng(bad, &error));
        QVERIFY2(error.contains(bad), qPrintable(error));
        QVERIFY(!view.exportSvg(QStringLiteral("/nonexistent-dir-for-baton/t.svg"), &error));
        QVERIFY(error.contains(QStringLiteral("t.svg")));
    }

    void exportSvg() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ShownTimeline shown({elected(0, 1, 7, 30), elected(1, 5, 8, 6), holder(0, 1, 7)});
        TimelineView& view = shown.view;
        const QString path = dir.filePath(QStringLiteral("timeline.svg"));
        QString error;
        QVERIFY2(view.exportSvg(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QStringList texts;
        int shapes = 0;
        bool svgRoot = false;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            svgRoot = svgRoot || xml.name() == u"svg";
            if (xml.name() == u"rect" || xml.name() == u"path" || xml.name() == u"polygon")
                ++shapes;
            if (xml.name() == u"text")
                texts.append(xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed());
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(svgRoot);
        QVERIFY(shapes > 5);
        QVERIFY2(texts.contains(QStringLiteral("#7")), qPrintable(texts.join(u'|')));
        QVERIFY(texts.contains(QStringLiteral("#8")));
        QVERIFY(texts.contains(who(1)));
    }
};

QTEST_MAIN(TestTimeline)
#include "test_timeline.moc"
