// The lab's window in simulated mode, driven as a user would: a real MainWindow on the offscreen
// platform, its actions and widgets, waiting on what it shows with QTRY_*.

#include "backend/sim_backend.h"
#include "cluster/cluster_view.h"
#include "log/event_log_model.h"
#include "stats/failover_stats.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"
#include "support/lab_window.h"
#include "timeline/leadership_history.h"
#include "windows/main_window.h"

#include <baton/sim/scenario_file.h>

#include <QAction>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPalette>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace baton::test;

class TestLab : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given a fresh start, then the lab runs a simulated cluster of five and one of them leads,
    // in real time (1x), within a second or two.
    void opensSimulatedAndALeaderAppears() {
        MainWindow w(MainWindow::Options{});
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.controller().simulated());
        QTRY_COMPARE(w.controller().snapshot().electors.size(), qsizetype(5));
        QTRY_VERIFY_WITH_TIMEOUT(leaderOf(w.controller().snapshot()) >= 0, 3000);
        const ClusterSnapshot s = w.controller().snapshot();
        QCOMPARE(s.lock.holder, leaderOf(s));
        QCOMPARE(s.electors[0].timing.ttl, Duration(5s));
        QCOMPARE(s.electors[0].timing.refreshInterval, Duration(1s));
        QVERIFY(s.now < 3s);
        QTRY_VERIFY(w.statusText().contains(u"leader: "_qs + s.electors[s.lock.holder].identity));
    }

    // Given a leader, when the operator uses "Kill leader", then it shows crashed and another
    // elector takes over with a higher fence once the lock has expired.
    void killLeaderHandsOver() {
        MainWindow w(fast());
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        const int first = leaderOf(w.controller().snapshot());
        const quint64 fence = w.controller().snapshot().electors[first].fence;
        w.action(u"killLeader"_qs)->trigger();
        QTRY_COMPARE(w.controller().snapshot().electors[first].state, ElectorState::Crashed);
        QTRY_VERIFY_WITH_TIMEOUT(otherLeader(w.controller().snapshot(), first), 5000);
        const ClusterSnapshot s = w.controller().snapshot();
        const int second = leaderOf(s);
        QVERIFY(s.electors[second].fence > fence);

        // The timeline: two leadership bars, the first closed at the crash, the second open
        // with the higher fence; the store's lane shows both holders.
        LeadershipHistory* h = w.history();
        QTRY_COMPARE(h->terms(first, LabTime::min(), LabTime::max()).size(), qsizetype(1));
        QTRY_COMPARE(h->terms(second, LabTime::min(), LabTime::max()).size(), qsizetype(1));
        const TermItem old = h->terms(first, LabTime::min(), LabTime::max()).front();
        const TermItem now = h->terms(second, LabTime::min(), LabTime::max()).front();
        QCOMPARE(old.fence, fence);
        QVERIFY(now.fence > fence);
        QVERIFY(old.end <= now.begin);
        QVERIFY(h->holders(LabTime::min(), LabTime::max()).size() >= 2);
        QVERIFY(h->overlaps(LabTime::min(), LabTime::max()).isEmpty());

        // The log: the crash, the old leader's revocation and the new leader's election.
        QCOMPARE(handoverRows(w, first, second), (HandoverRows{1, 1, 1}));
        // The statistics: one failover caused by a crash, a few ms after the lock expired.
        QTRY_COMPARE(w.stats()->overall().count, qsizetype(1));
        QCOMPARE(w.stats()->summary(FailoverCause::Crash).count, qsizetype(1));
        QVERIFY(w.stats()->overall().last > 4s && w.stats()->overall().last < 6s);
    }

    // Given a selected elector, when it is killed, stopped, restarted, paused and partitioned
    // through the window's actions, then the cluster view shows each state.
    void electorActionsReachTheElector() {
        MainWindow w(fast(5));
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        const int id = (leaderOf(w.controller().snapshot()) + 1) % 5;
        ClusterView* view = w.clusterView();
        QTest::mouseClick(view, Qt::LeftButton, {}, view->nodeRect(id).center().toPoint());
        QCOMPARE(view->selected(), id);
        const auto stateIs = [&](ElectorState s) {
            return w.controller().snapshot().electors[id].state == s;
        };
        w.action(u"pauseElector"_qs)->trigger();
        QTRY_VERIFY(stateIs(ElectorState::Paused));
        QTRY_VERIFY_WITH_TIMEOUT(stateIs(ElectorState::Follower), 5000); // 5 s at 5x
        w.action(u"partitionElector"_qs)->trigger();
        QTRY_VERIFY(stateIs(ElectorState::Partitioned));
        QTRY_VERIFY_WITH_TIMEOUT(stateIs(ElectorState::Follower), 5000);
        w.action(u"stopElector"_qs)->trigger();
        QTRY_VERIFY(stateIs(ElectorState::Stopped));
        QTRY_VERIFY(w.action(u"startElector"_qs)->isEnabled());
        w.action(u"startElector"_qs)->trigger();
        QTRY_VERIFY(stateIs(ElectorState::Follower));
        w.action(u"killElector"_qs)->trigger();
        QTRY_VERIFY(stateIs(ElectorState::Crashed));
    }

    // Given a selected elector, when the user types a longer TTL in the inspector and applies
    // it, then the elector runs with it (the "stretch"); an invalid value is refused with its
    // rule next to the field and changes nothing.
    void inspectorStretchesTheTtl() {
        MainWindow w(fast(5));
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        const int id = leaderOf(w.controller().snapshot());
        w.clusterView()->setSelected(id);
        auto* ttl = w.findChild<QDoubleSpinBox*>(u"ttlSpin"_qs);
        auto* refresh = w.findChild<QDoubleSpinBox*>(u"refreshSpin"_qs);
        auto* apply = w.findChild<QPushButton*>(u"applyButton"_qs);
        QVERIFY(ttl && refresh && apply);
        QTRY_COMPARE(ttl->value(), 5.0);
        ttl->setFocus();
        QTest::keyClick(ttl, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(ttl, u"12"_qs);
        QTest::mouseClick(apply, Qt::LeftButton);
        const auto stretched = [&] {
            return w.controller().snapshot().electors[id].timing.ttl == Duration(12s);
        };
        QTRY_VERIFY(stretched());
        // At the next extend the lease runs to about 12 s ahead.
        const auto longLease = [&] {
            const ElectorView& e = w.controller().snapshot().electors[id];
            return e.believesLeader && e.leaseEnd - w.controller().snapshot().now > 6s;
        };
        QTRY_VERIFY(longLease());

        refresh->setValue(7.0); // 7 s is not below 12 s / 2
        QTest::mouseClick(apply, Qt::LeftButton);
        auto* error = w.findChild<QLabel*>(u"refreshError"_qs);
        QVERIFY(error && !error->isHidden());
        QVERIFY2(error->text().contains(u"ttl / 2"_qs), qPrintable(error->text()));
        QSignalSpy snapshots(&w.controller(), &LabController::snapshotChanged);
        QVERIFY(snapshots.wait());
        QCOMPARE(w.controller().snapshot().electors[id].timing.refreshInterval, Duration(1s));
    }

    // Given paused time, then virtual time stands still; a step handles exactly the next
    // event; the speed slider sets the speed the status bar shows.
    void timeControls() {
        MainWindow w(fast(1));
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        w.action(u"pauseTime"_qs)->setChecked(true);
        QTRY_VERIFY(w.controller().snapshot().paused);
        const LabTime frozen = w.controller().snapshot().now;
        QSignalSpy snapshots(&w.controller(), &LabController::snapshotChanged);
        QVERIFY(snapshots.wait());
        QCOMPARE(w.controller().snapshot().now, frozen);
        w.action(u"stepTime"_qs)->trigger();
        QTRY_VERIFY(w.controller().snapshot().now > frozen);
        QVERIFY(w.controller().snapshot().paused);
        w.action(u"pauseTime"_qs)->setChecked(false);
        auto* slider = w.findChild<QSlider*>(u"speedSlider"_qs);
        QVERIFY(slider);
        slider->setValue(slider->maximum());
        QTRY_COMPARE(w.controller().snapshot().speed, 100.0);
        QTRY_VERIFY(w.statusText().contains(u"100x"_qs));
        slider->setValue(slider->minimum());
        QTRY_COMPARE(w.controller().snapshot().speed, 0.1);
    }

    // Given a run with a killed leader, when it is saved as a scenario, then baton-sim's reader
    // accepts the file and it holds the crash at the time it struck; the lab plays it back.
    void savedRunReplays() {
        MainWindow w(fast());
        const int first = killTheLeader(w);
        QVERIFY(first >= 0);
        QTRY_COMPARE(w.controller().snapshot().electors[first].state, ElectorState::Crashed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"run.json"_qs);
        QString error;
        QVERIFY2(w.saveScenario(path, &error), qPrintable(error));
        const Scenario s = sim::loadScenario(path.toStdString());
        QCOMPARE(s.electors, 5);
        QCOMPARE(s.faults.size(), std::size_t(1));
        QCOMPARE(s.faults[0].kind, FaultKind::Crash);
        QCOMPARE(s.faults[0].target.index, first);
        QVERIFY(s.faults[0].at > 0s);
        QVERIFY2(w.openScenario(path, &error), qPrintable(error));
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        QVERIFY(!w.openScenario(dir.filePath(u"missing.json"_qs), &error));
        QVERIFY2(error.contains(u"missing.json"_qs), qPrintable(error));
    }

    // Given a paused run, when one event is stepped and the leader then killed, then the saved
    // run holds the kill with the steps of its instant before it (the step just taken at
    // least), and playing the file strikes it there: applied, at the instant it struck.
    void aKillAfterAStepIsSavedInItsPlace() {
        MainWindow w(fast());
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        w.action(u"stepTime"_qs)->trigger(); // pauses, then takes one step
        w.action(u"killLeader"_qs)->trigger();
        QTRY_VERIFY(w.controller().snapshot().paused);
        QTRY_VERIFY(std::any_of(w.controller().snapshot().electors.begin(),
                                w.controller().snapshot().electors.end(),
                                [](const auto& e) { return e.state == ElectorState::Crashed; }));
        QTemporaryDir dir;
        const QString path = dir.filePath(u"run.json"_qs);
        QString error;
        QVERIFY2(w.saveScenario(path, &error), qPrintable(error));
        const Scenario s = sim::loadScenario(path.toStdString());
        QCOMPARE(s.faults.size(), std::size_t(1));
        QCOMPARE(s.faults[0].kind, FaultKind::Crash);
        QCOMPARE(s.faults[0].target.kind, FaultTarget::Kind::Elector); // whoever it struck
        QVERIFY2(s.faults[0].after >= 1, qPrintable(QString::number(s.faults[0].after)));
        const History replay = simulate(s);
        QCOMPARE(replay.faults.size(), std::size_t(1));
        QVERIFY(replay.faults[0].applied);
        QCOMPARE(replay.faults[0].at - replay.start, s.faults[0].at);
    }

    // Given a run with a killed leader, when the events and the timeline are exported, then the
    // CSV has a header and a row per logged event (the crash among them), the JSON parses to the
    // same rows, the PNG loads at the timeline's size and the SVG is a drawing with the fences.
    void exportsWriteWhatTheWindowShows() {
        MainWindow w(fast());
        const int first = killTheLeader(w);
        QVERIFY(first >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(otherLeader(w.controller().snapshot(), first), 5000);
        // The new term runs a few seconds, so its bar is wide enough for its label.
        const LabTime elected = w.controller().snapshot().now;
        const auto termShown = [&] { return w.controller().snapshot().now > elected + 3s; };
        QTRY_VERIFY_WITH_TIMEOUT(termShown(), 5000);
        w.controller().setTimePaused(true);
        QTRY_VERIFY(w.controller().snapshot().paused);
        // The paused snapshot came after every event before it (a backend sends events first).

        QTemporaryDir dir;
        QString error;
        const qsizetype logged = w.eventLog()->events().size();
        QVERIFY(logged > 5);
        QVERIFY2(w.exportEvents(dir.filePath(u"events.csv"_qs), &error), qPrintable(error));
        QFile csv(dir.filePath(u"events.csv"_qs));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().replace("\r\n", "\n").split('\n');
        QCOMPARE(lines.front(),
                 QByteArray("time_s,elector,identity,source,event,fence,deadline_s,detail"));
        QCOMPARE(lines.size() - 1, logged);
        QVERIFY(std::any_of(lines.begin(), lines.end(),
                            [](const QByteArray& l) { return l.contains(",fault,crash,"); }));

        QVERIFY2(w.exportEvents(dir.filePath(u"events.json"_qs), &error), qPrintable(error));
        QFile json(dir.filePath(u"events.json"_qs));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(json.readAll());
        QVERIFY(doc.isArray());
        QCOMPARE(doc.array().size(), logged);

        QVERIFY2(w.exportTimeline(dir.filePath(u"timeline.png"_qs), &error), qPrintable(error));
        QImage png(dir.filePath(u"timeline.png"_qs));
        QVERIFY(!png.isNull());
        QVERIFY(png.width() >= 200 && png.height() >= 50);
        QVERIFY2(w.exportTimeline(dir.filePath(u"timeline.svg"_qs), &error), qPrintable(error));
        QFile svg(dir.filePath(u"timeline.svg"_qs));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray drawing = svg.readAll();
        QVERIFY(drawing.contains("<svg"));
        QVERIFY(drawing.contains("#2")); // the new leader's bar, 3 s long at least

        QVERIFY(!w.exportEvents(dir.filePath(u"no/such/dir/e.csv"_qs), &error));
        QVERIFY2(error.contains(u"no/such/dir"_qs), qPrintable(error));
    }

    // Given a dark system palette, then the window follows it: the cluster is drawn on a dark
    // base with light text, and a light palette brings the light look back.
    void followsTheSystemPalette() {
        const QPalette light = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x33, 0x33, 0x33));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
        dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
        QApplication::setPalette(dark);
        MainWindow w(fast(4));
        w.resize(1360, 860);
        w.show();
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        const QImage image = w.clusterView()->grab().toImage();
        const QByteArray out = qgetenv("BATON_SCREENSHOT_DARK");
        if (!out.isEmpty())
            w.grab().save(QString::fromLocal8Bit(out));
        QApplication::setPalette(light);
        QCOMPARE(image.pixelColor(image.width() - 3, image.height() - 3), QColor(0x1e, 0x1e, 0x1e));
        QTRY_VERIFY(w.clusterView()->grab().toImage().pixelColor(3, image.height() - 3) ==
                    light.color(QPalette::Base));
    }

    // Given the simulated backend alone with one elector, when it is killed and nobody calls the
    // store, then the store's lane gets exactly one "free" at the lock's expiry (not one per
    // tick), and the run saved afterwards lasts as long as it was played, not the lab's year.
    void simBackendReportsAnExpiryOnce() {
        SimBackend backend(SimBackend::defaultScenario(1));
        QVector<LabEvent> events;
        ClusterSnapshot last;
        connect(&backend, &Backend::eventsReady, this,
                [&](const QVector<LabEvent>& batch) { events += batch; });
        connect(&backend, &Backend::snapshotReady, this,
                [&](const ClusterSnapshot& s) { last = s; });
        backend.setSpeed(100);
        backend.begin();
        QTRY_VERIFY(leaderOf(last) == 0);
        Action kill;
        kill.kind = Action::Kind::Crash;
        kill.elector = 0;
        backend.act(kill);
        QTRY_VERIFY_WITH_TIMEOUT(last.now > 30s, 5000);
        const auto count = [&](const QString& name) {
            return std::count_if(events.begin(), events.end(), [&](const LabEvent& e) {
                return e.source == LabEvent::Source::Store && e.name == name;
            });
        };
        QCOMPARE(count(u"holder"_qs), 1);
        QCOMPARE(count(u"free"_qs), 1);
        const Scenario saved = backend.recordedScenario();
        QVERIFY(saved.duration >= last.now - 1s && saved.duration <= last.now + 1s);
        QCOMPARE(saved.faults.size(), std::size_t(1));
    }

    // Given a run with a handover (one elector in polling-only mode, the old leader killed, the new
    // one selected), when the window is rendered, then the picture is the window's size and shows
    // more than a few colours. The README's screenshot comes from here: set BATON_SCREENSHOT.
    void rendersTheWindow() {
        MainWindow::Options o = fast(4);
        o.pollingOnlyElectors = 1;
        MainWindow w(o);
        w.resize(1360, 860);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY(leaderOf(w.controller().snapshot()) >= 0);
        const auto after = [&](LabTime t) { return w.controller().snapshot().now > t; };
        QTRY_VERIFY(after(4s));
        const int first = leaderOf(w.controller().snapshot());
        w.action(u"killLeader"_qs)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(otherLeader(w.controller().snapshot(), first), 5000);
        const LabTime elected = w.controller().snapshot().now;
        w.clusterView()->setSelected(leaderOf(w.controller().snapshot()));
        QTRY_VERIFY_WITH_TIMEOUT(after(elected + 3s), 5000);
        const QImage image = w.grab().toImage();
        QCOMPARE(image.size(), w.size() * w.devicePixelRatio());
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);
        const QByteArray out = qgetenv("BATON_SCREENSHOT");
        if (!out.isEmpty())
            QVERIFY(image.save(QString::fromLocal8Bit(out)));
    }
};

QTEST_MAIN(TestLab)
#include "test_lab.moc"
