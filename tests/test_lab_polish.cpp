// The lab's window as an application: icons, Help > Keyboard shortcuts read from the actions,
// About, File > Recent scenarios, killed electors that come back (on virtual time), the
// inspector's cluster settings and the log's toggle for routine rows. A real MainWindow on the
// offscreen platform; modal dialogs are read and closed as they open.

#include "inspector/inspector.h"
#include "log/event_log_model.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"
#include "support/lab_window.h"
#include "windows/main_window.h"
#include "windows/recent_files.h"
#include "windows/shortcuts_dialog.h"

#include <QAction>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>

#include <functional>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;

namespace {

// Runs `look` on the next modal dialog once it shows, then closes it.
void onNextDialog(std::function<void(QWidget*)> look) {
    auto* timer = new QTimer(qApp);
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, look] {
        QWidget* modal = QApplication::activeModalWidget();
        if (!modal)
            return;
        timer->stop();
        timer->deleteLater();
        look(modal);
        modal->close();
    });
    timer->start();
}

const LabEvent* firstEvent(const QVector<LabEvent>& events, const QString& name, int elector,
                           LabTime after = LabTime::min()) {
    for (const LabEvent& e : events)
        if (e.name == name && e.elector == elector && e.at >= after)
            return &e;
    return nullptr;
}

// How many rows of the log are named `name` (any elector).
int rowsNamed(const MainWindow& w, const QString& name) {
    const QVector<LabEvent> events = w.eventLog()->events();
    return int(std::count_if(events.cbegin(), events.cend(),
                             [&](const LabEvent& e) { return e.name == name; }));
}

} // namespace

class TestLabPolish : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Test-mode settings outlive a run: start from the defaults.
    void initTestCase() { QSettings().clear(); }

    // Given the window, then each toolbar button and each menu entry of the lab's verbs has an
    // icon (the theme's or the bundled one), and the window has the application's.
    void iconsEverywhere() {
        MainWindow w(baton::test::fast(50));
        QVERIFY(!w.windowIcon().isNull());
        for (QAction* a : w.findChild<QToolBar*>(u"labToolBar"_qs)->actions())
            if (!a->isSeparator() && !a->objectName().isEmpty())
                QVERIFY2(!a->icon().isNull(), qPrintable(a->objectName()));
        for (const char* name : {"killLeader", "openScenario", "quit", "about", "shortcuts",
                                 "connectRedis", "pauseTime", "hideRoutine"})
            QVERIFY2(!w.action(QString::fromLatin1(name))->icon().isNull(), name);
    }

    // Given every action with a shortcut, then the shortcut list has each (keys, menu), also one
    // added later in a menu of its own; Help > Keyboard shortcuts shows that list.
    void shortcutListFollowsTheActions() {
        MainWindow w(baton::test::fast(50));
        auto* later = new QAction(u"&Later verb..."_qs, &w);
        later->setShortcut(QKeySequence(u"Ctrl+Shift+L"_qs));
        w.menuBar()->addMenu(u"&Extra"_qs)->addAction(later);
        const QList<ShortcutRow> rows = shortcutRows(&w, w.menuBar());
        const auto has = [&](const QString& menu, const QString& text, const QString& keys) {
            return std::any_of(rows.cbegin(), rows.cend(), [&](const ShortcutRow& r) {
                return r.menu == menu && r.action == text && r.keys == keys;
            });
        };
        QVERIFY(has(u"Elector"_qs, u"Kill leader"_qs, u"K"_qs));
        QVERIFY(has(u"Time"_qs, u"Pause time"_qs, u"Space"_qs));
        QVERIFY(has(u"Extra"_qs, u"Later verb"_qs, u"Ctrl+Shift+L"_qs));
        for (const QAction* a : w.findChildren<QAction*>())
            if (!a->shortcut().isEmpty())
                QVERIFY2(std::any_of(rows.cbegin(), rows.cend(),
                                     [&](const ShortcutRow& r) {
                                         return r.keys.contains(
                                             a->shortcut().toString(QKeySequence::NativeText));
                                     }),
                         qPrintable(a->text()));
        int shown = -1;
        onNextDialog([&](QWidget* dialog) {
            shown = dialog->findChild<QTableWidget*>(u"shortcutTable"_qs)->rowCount();
        });
        w.action(u"shortcuts"_qs)->trigger();
        QCOMPARE(shown, int(rows.size()));
    }

    // Given Help > About, then it names the version, the licence and the project's link.
    void aboutSaysVersionLicenceAndLink() {
        QCoreApplication::setApplicationVersion(u"9.8.7"_qs);
        MainWindow w(baton::test::fast(50));
        QString text;
        onNextDialog([&](QWidget* box) { text = qobject_cast<QMessageBox*>(box)->text(); });
        w.action(u"about"_qs)->trigger();
        QVERIFY2(text.contains(u"9.8.7"_qs), qPrintable(text));
        QVERIFY(text.contains(u"MIT"_qs));
        QVERIFY(text.contains(u"https://"_qs));
        QVERIFY(w.action(u"aboutQt"_qs));
    }

    // Given scenarios played, then File > Recent scenarios lists them newest first, at most 8;
    // one removed from disk leaves the list, with a message, when chosen.
    void recentScenarios() {
        QTemporaryDir dir;
        MainWindow w(baton::test::fast(50));
        w.recentScenarios()->clear();
        QString error;
        QStringList paths;
        for (int i = 0; i < 10; ++i) {
            paths << dir.filePath(u"run-%1.json"_qs.arg(i));
            QVERIFY2(w.saveScenario(paths.last(), &error), qPrintable(error));
            QVERIFY2(w.openScenario(paths.last(), &error), qPrintable(error));
        }
        QStringList files = w.recentScenarios()->files();
        QCOMPARE(files.size(), RecentFiles::kMost);
        QCOMPARE(files.first(), paths.last());
        QCOMPARE(files.last(), paths[2]);

        auto* menu = w.findChild<QMenu*>(u"recentMenu"_qs);
        Q_EMIT menu->aboutToShow();
        QCOMPARE(menu->actions().first()->text(), u"&1 run-9.json"_qs);
        QVERIFY(QFile::remove(paths[9]));
        QString message;
        onNextDialog([&](QWidget* box) { message = qobject_cast<QMessageBox*>(box)->text(); });
        menu->actions().first()->trigger();
        QVERIFY2(message.contains(u"run-9.json"_qs), qPrintable(message));
        QVERIFY(!w.recentScenarios()->files().contains(paths[9]));
        Q_EMIT menu->aboutToShow();
        QCOMPARE(menu->actions().first()->text(), u"&1 run-8.json"_qs);
    }

    // Given "killed electors come back" (the default) and a fault length of 1 s, when the leader
    // is killed, then it restarts exactly 1 s of virtual time later, and Kill leader works again
    // on the next leader; with the option off, a killed leader stays down.
    void killedLeaderComesBack() {
        MainWindow w(baton::test::fast(50));
        QVERIFY(w.action(u"crashComesBack"_qs)->isChecked());
        w.findChild<QDoubleSpinBox*>(u"faultLength"_qs)->setValue(1.0);
        const int first = baton::test::killTheLeader(w);
        QVERIFY(first >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(firstEvent(w.eventLog()->events(), u"restart"_qs, first), 10000);
        const QVector<LabEvent> events = w.eventLog()->events();
        const LabEvent* crash = firstEvent(events, u"crash"_qs, first);
        const LabEvent* restart = firstEvent(events, u"restart"_qs, first);
        QVERIFY(crash && restart);
        QCOMPARE(restart->at - crash->at, LabTime(1s));
        QTRY_VERIFY(w.controller().snapshot().electors[first].state != ElectorState::Crashed);

        // Again, on whoever leads now (the restarted one may have won the lock back: which
        // elector tries first after the expiry depends on when the kill struck).
        QTRY_VERIFY_WITH_TIMEOUT(lab_events::leaderOf(w.controller().snapshot()) >= 0, 10000);
        const int restarts = rowsNamed(w, u"restart"_qs);
        const int second = baton::test::killTheLeader(w);
        QVERIFY(second >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(rowsNamed(w, u"restart"_qs) == restarts + 1, 10000);

        // Off: the next one stays down, 3 s of virtual time on.
        w.action(u"crashComesBack"_qs)->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(lab_events::leaderOf(w.controller().snapshot()) >= 0, 10000);
        const int restartsBefore = rowsNamed(w, u"restart"_qs);
        const int crashesBefore = rowsNamed(w, u"crash"_qs);
        const int third = baton::test::killTheLeader(w);
        QVERIFY(third >= 0);
        QTRY_COMPARE(rowsNamed(w, u"crash"_qs), crashesBefore + 1);
        const LabTime struck = w.controller().snapshot().now;
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().snapshot().now > struck + 3s, 10000);
        QCOMPARE(w.controller().snapshot().electors[third].state, ElectorState::Crashed);
        QCOMPARE(rowsNamed(w, u"restart"_qs), restartsBefore);
        w.action(u"crashComesBack"_qs)->setChecked(true); // the settings' default again
    }

    // Given nothing selected, then the inspector shows the cluster's timings, and Apply changes
    // them on every elector.
    void inspectorChangesTheCluster() {
        MainWindow w(baton::test::fast(50));
        w.show();
        QTRY_COMPARE(w.controller().snapshot().electors.size(), qsizetype(5));
        Inspector* inspector = w.inspector();
        auto* ttl = inspector->findChild<QDoubleSpinBox*>(u"ttlSpin"_qs);
        QTRY_VERIFY(ttl->isEnabled());
        QCOMPARE(ttl->value(), 5.0);
        ttl->setValue(3.0);
        inspector->findChild<QPushButton*>(u"applyButton"_qs)->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ElectorView& e : w.controller().snapshot().electors)
                    if (e.timing.ttl != 3s)
                        return false;
                return true;
            }(),
            5000);
    }

    // Given a leader extending, when "Hide routine rows" is on, then the log shows no extended
    // row, unless the event filter asks for them.
    void hideRoutineRows() {
        MainWindow w(baton::test::fast(50));
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const LabEvent& e : w.eventLog()->events())
                    if (e.name == u"extended")
                        return true;
                return false;
            }(),
            5000);
        auto* table = w.findChild<QTableView*>(u"eventTable"_qs);
        const auto extendedRows = [table] {
            int n = 0;
            for (int r = 0; r < table->model()->rowCount(); ++r)
                n +=
                    table->model()->index(r, EventLogModel::Event).data().toString() == u"extended";
            return n;
        };
        QVERIFY(extendedRows() > 0);
        w.action(u"hideRoutine"_qs)->setChecked(true);
        QCOMPARE(extendedRows(), 0);
        QVERIFY(table->model()->rowCount() > 0);
        w.action(u"hideRoutine"_qs)->setChecked(false);
        QVERIFY(extendedRows() > 0);
    }
};

QTEST_MAIN(TestLabPolish)
#include "test_lab_polish.moc"
