// The lab's Tuning window in a real main window (offscreen): it opens from the menu and the
// inspector prefilled with the cluster's timings, sweeps in the background (cancel works),
// shows the recommendation, picks a point by a click, applies it to the running electors,
// compares it with the cluster's timing and exports data and plots.

#include "support/lab_test_case.h"

#include "cluster/cluster_view.h"
#include "inspector/inspector.h"
#include "tuning/compare_strip.h"
#include "tuning/tuning_heat_map.h"
#include "tuning/tuning_points_table.h"
#include "tuning/tuning_window.h"
#include "windows/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

template <typename T>
T* child(QWidget& w, const QString& name) {
    T* c = w.findChild<T*>(name);
    if (!c)
        qFatal("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return c;
}

// A sweep small enough for CI: 2 x 2 points, one seed of six virtual minutes.
void smallGrid(TuningWindow& t) {
    child<QLineEdit>(t, u"ttlList"_s)->setText(u"2s, 4s"_s);
    child<QLineEdit>(t, u"refreshList"_s)->setText(u"0.1, 0.3"_s);
    child<QLineEdit>(t, u"retryList"_s)->setText(u"ttl"_s);
    child<QSpinBox>(t, u"seedsSpin"_s)->setValue(1);
    child<QDoubleSpinBox>(t, u"hoursSpin"_s)->setValue(0.1);
    child<QDoubleSpinBox>(t, u"crashRate"_s)->setValue(30);
    child<QCheckBox>(t, u"needOutageCheck"_s)->setChecked(false); // no 2s or 4s ttl rides out 20s
}

bool sweepDone(const TuningWindow& t) {
    return t.result() != nullptr;
}

} // namespace

class TestTuningWindow : public baton::test::LabTestCase {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void opensFromTheMenuPrefilled() {
        MainWindow w(MainWindow::Options{});
        w.show();
        QTRY_VERIFY(!w.controller().snapshot().electors.isEmpty());
        // Given the default cluster (ttl 5s, refresh 1s, retry 1s), when Tools > Tune timings
        w.action(u"tuneTimings"_s)->trigger();
        auto* t = w.findChild<TuningWindow*>();
        QVERIFY(t);
        QVERIFY(t->isVisible());
        // Then the form holds its electors and a grid around its timing
        QCOMPARE(child<QSpinBox>(*t, u"electorsSpin"_s)->value(), 5);
        QVERIFY(child<QLineEdit>(*t, u"ttlList"_s)->text().contains(u"5s"_s));
        QVERIFY(child<QLineEdit>(*t, u"refreshList"_s)->text().contains(u"0.2"_s));
        QCOMPARE(child<QLineEdit>(*t, u"retryList"_s)->text(), u"ttl, 1s"_s);
    }

    void opensFromTheInspector() {
        MainWindow w(MainWindow::Options{});
        w.show();
        QTRY_VERIFY(!w.controller().snapshot().electors.isEmpty());
        // Given an elector selected in the cluster view, when the inspector's button is pressed
        ClusterView* view = w.clusterView();
        QTest::mouseClick(view, Qt::LeftButton, {}, view->nodeRect(2).center().toPoint());
        QCOMPARE(view->selected(), 2);
        // (whose ttl was stretched to 7s)
        Action stretch;
        stretch.kind = Action::Kind::Timing;
        stretch.elector = 2;
        stretch.timing = Timing{7s, 1s, 1s};
        w.controller().act(stretch);
        QTRY_COMPARE(w.controller().snapshot().electors[2].timing.ttl, Duration(7s));
        QTest::mouseClick(child<QPushButton>(*w.inspector(), u"tuneButton"_s), Qt::LeftButton);
        auto* t = w.findChild<TuningWindow*>();
        QVERIFY(t && t->isVisible());
        // Then the grid is around that elector's timing
        QVERIFY2(child<QLineEdit>(*t, u"ttlList"_s)->text().contains(u"7s"_s),
                 qPrintable(child<QLineEdit>(*t, u"ttlList"_s)->text()));
    }

    void sweepRecommendsAndApplyChangesTheCluster() {
        MainWindow w(MainWindow::Options{});
        w.show();
        QTRY_VERIFY(!w.controller().snapshot().electors.isEmpty());
        TuningWindow* t = w.openTuning();
        smallGrid(*t);
        // When the sweep runs, the GUI thread does not wait for it
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(child<QPushButton>(*t, u"runSweep"_s), Qt::LeftButton);
        QVERIFY(clock.elapsed() < 500);
        QVERIFY(!child<QPushButton>(*t, u"runSweep"_s)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(sweepDone(*t), 60000);
        // Then the recommendation is shown and framed on the heat map
        QVERIFY2(t->verdictText().startsWith(u"recommended: ttl "_s), qPrintable(t->verdictText()));
        QVERIFY(t->result()->recommended);
        const std::size_t best = *t->result()->recommended;
        QVERIFY(!t->heatMap()->cellRect(best).isEmpty());
        QCOMPARE(t->chosen(), std::optional<std::size_t>(best));
        // When the pointer rests on a cell, its figures show
        const QPointF at = t->heatMap()->cellRect(best).center();
        QMouseEvent move(QEvent::MouseMove, at, t->heatMap()->mapToGlobal(at), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(t->heatMap(), &move);
        QTRY_VERIFY(QToolTip::text().contains(u"crash failover: p50"_s));
        QVERIFY(QToolTip::text().contains(u"requests/s: leader"_s));
        // When another cell is clicked, it is the chosen one, with its distributions
        std::size_t other = best == 0 ? 1 : 0;
        QTest::mouseClick(t->heatMap(), Qt::LeftButton, {}, t->heatMap()->cellRect(other).center());
        QCOMPARE(t->chosen(), std::optional<std::size_t>(other));
        QVERIFY(child<QLabel>(*t, u"pointText"_s)->text().contains(u"crash failover"_s));
        // When Apply: every elector runs the chosen timing
        const Timing want = t->result()->points[other].point.timing;
        QTest::mouseClick(child<QPushButton>(*t, u"applyToCluster"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ElectorView& e : w.controller().snapshot().electors)
                    if (e.timing.ttl != want.ttl ||
                        e.timing.refreshInterval != want.refreshInterval ||
                        e.timing.retryInterval != want.retryInterval)
                        return false;
                return true;
            }(),
            10000);
        // When Compare: the cluster's former timing against the chosen one, side by side
        QTest::mouseClick(child<QPushButton>(*t, u"compareTimings"_s), Qt::LeftButton);
        auto* table = child<QTableWidget>(*t, u"compareTable"_s);
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() > 5, 60000);
        QVERIFY(table->horizontalHeaderItem(0)->text().contains(u"ttl 5s"_s));
        QVERIFY(table->item(1, 0) && table->item(1, 1));
        // with both runs drawn as leadership over the same virtual time and the same faults
        auto* strip = child<CompareStrip>(*t, u"compareStrip"_s);
        QCOMPARE(strip->runs().size(), 2u);
        QVERIFY(!strip->runs()[0].terms.empty() && !strip->runs()[1].terms.empty());
        QCOMPARE(strip->runs()[0].end - strip->runs()[0].start,
                 strip->runs()[1].end - strip->runs()[1].start);
        // BATON_TUNING_SCREENSHOT=FILE keeps a picture of the window with Compare shown.
        if (const QString shot = qEnvironmentVariable("BATON_TUNING_SCREENSHOT"); !shot.isEmpty())
            QVERIFY(t->grab().save(shot));
        // Exports
        QVERIFY(m_dir.isValid());
        for (const char* name : {"sweep.csv", "sweep.json", "plots.png", "plots.svg"}) {
            const QString path = m_dir.filePath(QString::fromLatin1(name));
            QString error;
            const bool ok = path.endsWith(u".csv"_s) || path.endsWith(u".json"_s)
                                ? t->exportData(path, &error)
                                : t->exportPlots(path, &error);
            QVERIFY2(ok, qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 500);
        }
        QString error;
        QVERIFY(!t->exportData(m_dir.filePath(u"sweep.txt"_s), &error));
        QVERIFY(error.contains(u".csv or .json"_s));
    }

    // The failover hazard in the Tuning window: the Replication group (off at first) reaches
    // the sweep, and the Points table shows overlaps without WAIT and none with it.
    void replicationControlsReachTheSweep() {
        MainWindow w(MainWindow::Options{});
        TuningWindow* t = w.openTuning();
        auto* group = child<QGroupBox>(*t, u"replicationGroup"_s);
        QVERIFY(group->isCheckable());
        QVERIFY(!group->isChecked());
        // Given a quiet cluster of three on a ttl of 3s (refresh 0.3s or 0.9s)
        child<QLineEdit>(*t, u"ttlList"_s)->setText(u"3s"_s);
        child<QLineEdit>(*t, u"refreshList"_s)->setText(u"0.1, 0.3"_s);
        child<QLineEdit>(*t, u"retryList"_s)->setText(u"ttl"_s);
        child<QSpinBox>(*t, u"electorsSpin"_s)->setValue(3);
        child<QSpinBox>(*t, u"seedsSpin"_s)->setValue(4);
        child<QDoubleSpinBox>(*t, u"hoursSpin"_s)->setValue(1);
        for (const char* name : {"latencyP99", "outage", "pause", "crashRate", "stopRate"})
            child<QDoubleSpinBox>(*t, QString::fromLatin1(name))->setValue(0);
        child<QDoubleSpinBox>(*t, u"latency"_s)->setValue(1);
        child<QCheckBox>(*t, u"needOutageCheck"_s)->setChecked(false);
        // When the Replication group is on: a primary failover a minute, a replica 50ms behind
        // (p99 500ms), a detection delay of 1s, no WAIT and WAIT 1 compared
        group->setChecked(true);
        child<QDoubleSpinBox>(*t, u"replicationLag"_s)->setValue(50);
        child<QDoubleSpinBox>(*t, u"replicationLagP99"_s)->setValue(500);
        child<QDoubleSpinBox>(*t, u"primaryKills"_s)->setValue(60);
        child<QDoubleSpinBox>(*t, u"detectionDelay"_s)->setValue(1);
        QCOMPARE(child<QComboBox>(*t, u"waitMode"_s)->currentIndex(), 0);
        QVERIFY(t->runSweep());
        QTRY_VERIFY_WITH_TIMEOUT(sweepDone(*t), 60000);
        // Then the sweep ran with that profile, each timing without and with WAIT
        const FailureProfile& p = t->result()->request.profile;
        QCOMPARE(p.primaryKillRate, 60.0);
        QCOMPARE(p.replicationLag, Duration(50ms));
        QCOMPARE(p.replicationLagP99, Duration(500ms));
        QCOMPARE(p.failoverAfter, Duration(1s));
        QVERIFY(t->result()->request.grid.waitVariant);
        // and the Points table, shown, has overlaps in each no-WAIT row and none with WAIT
        TuningPointsTable* table = t->pointsTable();
        QCOMPARE(child<QTabWidget>(*t, {})->currentWidget(), table);
        QCOMPARE(table->rowCount(), 4);
        int without = 0, with = 0;
        for (int row = 0; row < table->rowCount(); ++row) {
            const QString wait = table->item(row, TuningPointsTable::Wait)->text();
            const int overlaps = table->item(row, TuningPointsTable::Overlaps)->text().toInt();
            QCOMPARE(table->item(row, TuningPointsTable::FenceViolations)->text(), u"0"_s);
            if (wait == u"-"_s) {
                ++without;
                QVERIFY2(overlaps > 0, qPrintable(u"row %1"_s.arg(row)));
            } else {
                ++with;
                QCOMPARE(wait, u"1"_s);
                QCOMPARE(overlaps, 0);
            }
        }
        QCOMPARE(without, 2);
        QCOMPARE(with, 2);
        // and the recommendation waits for the replica; its variant is the one on the heat map
        QVERIFY2(t->verdictText().contains(u"WAIT 1"_s), qPrintable(t->verdictText()));
        QCOMPARE(child<QComboBox>(*t, u"variantCombo"_s)->currentText(), u"retry = ttl, WAIT 1"_s);
        // When a row is clicked, its point is the chosen one
        const int row = table->rowOf(0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualItemRect(table->item(row, 0)).center());
        QCOMPARE(t->chosen(), std::optional<std::size_t>(0));
    }

    void cancelStopsASweep() {
        MainWindow w(MainWindow::Options{});
        TuningWindow* t = w.openTuning();
        smallGrid(*t);
        child<QSpinBox>(*t, u"seedsSpin"_s)->setValue(500);
        child<QDoubleSpinBox>(*t, u"hoursSpin"_s)->setValue(4);
        QVERIFY(t->runSweep());
        QTest::mouseClick(child<QPushButton>(*t, u"cancelSweep"_s), Qt::LeftButton);
        auto* status = child<QLabel>(*t, u"sweepStatus"_s);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"Cancelled"_s), 20000);
        QVERIFY(child<QPushButton>(*t, u"runSweep"_s)->isEnabled());
        QVERIFY(!t->result());
    }

    void badGridNamesTheRule() {
        MainWindow w(MainWindow::Options{});
        TuningWindow* t = w.openTuning();
        child<QLineEdit>(*t, u"ttlList"_s)->setText(u"0s"_s);
        QVERIFY(!t->runSweep());
        QVERIFY2(child<QLabel>(*t, u"sweepStatus"_s)->text().contains(u"a ttl must be positive"_s),
                 qPrintable(child<QLabel>(*t, u"sweepStatus"_s)->text()));
        child<QLineEdit>(*t, u"ttlList"_s)->setText(u"5s"_s);
        child<QLineEdit>(*t, u"refreshList"_s)->setText(u"0.6"_s);
        QVERIFY(!t->runSweep());
        QVERIFY(child<QLabel>(*t, u"sweepStatus"_s)->text().contains(u"below ttl / 2"_s));
    }
};

QTEST_MAIN(TestTuningWindow)
#include "test_tuning_window.moc"
