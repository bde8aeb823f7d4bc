// The inspector: shows the selected elector, validates timing changes, asks for faults.

#include "support/columns.h"
#include "support/lab_test_case.h"

#include "backend/sim_backend.h"
#include "inspector/inspector.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using baton::test::addColumns;

Q_DECLARE_METATYPE(baton::lab::ElectorKind)
Q_DECLARE_METATYPE(baton::lab::ElectorState)
Q_DECLARE_METATYPE(baton::lab::Action::Kind)

namespace {

ElectorView follower(int id = 3) {
    ElectorView e;
    e.id = id;
    e.identity = u"node-%1"_s.arg(id);
    e.kind = ElectorKind::Simulated;
    e.state = ElectorState::Follower;
    e.timing = Timing{5s, 1s, 1s};
    e.fence = 4;
    e.seenLeader = u"node-0"_s;
    e.clockRate = 1.02;
    e.latency = 2ms;
    e.storeCalls = 17;
    e.note = u"all quiet"_s;
    e.unavailable = SimBackend::capabilities(e.state);
    return e;
}

Action actionOf(const QSignalSpy& spy, int i = 0) {
    return spy.at(i).at(0).value<Action>();
}

} // namespace

class TestInspector : public baton::test::LabTestCase {
    Q_OBJECT

private:
    template <typename T>
    T* child(Inspector& inspector, const QString& name) {
        T* widget = inspector.findChild<T*>(name);
        if (widget == nullptr)
            qFatal("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
        return widget;
    }

    void typeSeconds(Inspector& inspector, const QString& spinName, const QString& text) {
        auto* spin = child<QDoubleSpinBox>(inspector, spinName);
        spin->setFocus();
        QTest::keyClick(spin, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(spin, text);
    }

private Q_SLOTS:
    void initTestCase() {
        // Typed numbers use '.' whatever the machine's locale.
        QLocale::setDefault(QLocale::c());
    }

    void nothingSelected() {
        Inspector inspector;
        QCOMPARE(inspector.electorId(), -1);
        for (QPushButton* button : inspector.findChildren<QPushButton*>()) {
            QVERIFY2(!button->isEnabled(), qPrintable(button->objectName()));
            if (button->objectName() != u"revertButton")
                QVERIFY2(!button->toolTip().isEmpty(), qPrintable(button->objectName()));
        }
        for (QAbstractSpinBox* spin : inspector.findChildren<QAbstractSpinBox*>())
            QVERIFY2(!spin->isEnabled(), qPrintable(spin->objectName()));

        // Selected, then deselected again.
        const ElectorView e = follower();
        inspector.setElector(&e);
        QVERIFY(child<QPushButton>(inspector, u"applyButton"_s)->isEnabled());
        inspector.setElector(nullptr);
        QVERIFY(!child<QPushButton>(inspector, u"applyButton"_s)->isEnabled());
        QCOMPARE(inspector.electorId(), -1);
    }

    // Given a cluster and nothing selected, then the inspector shows the timings most electors
    // run, and Apply asks for the edited timings on each elector that can take them.
    void clusterTimingsForAll() {
        Inspector inspector;
        QVector<ElectorView> cluster{follower(0), follower(1), follower(2)};
        cluster[1].timing = Timing{4s, 1s, 1s};
        cluster[2].state = ElectorState::Crashed;
        cluster[2].unavailable[std::size_t(Action::Kind::Timing)] = u"it is not running"_s;
        inspector.setCluster(cluster);
        inspector.setElector(nullptr);
        QCOMPARE(child<QLabel>(inspector, u"identityLabel"_s)->text(), u"Cluster"_s);
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->value(), 5.0);
        QVERIFY(child<QLabel>(inspector, u"clusterTimingsLabel"_s)->text().contains(u"1 differ"_s));
        QVERIFY(!child<QPushButton>(inspector, u"killButton"_s)->isEnabled());
        QSignalSpy spy(&inspector, &Inspector::actionRequested);
        typeSeconds(inspector, u"ttlSpin"_s, u"2.5"_s);
        QTest::mouseClick(child<QPushButton>(inspector, u"applyButton"_s), Qt::LeftButton);
        QCOMPARE(spy.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(actionOf(spy, i).kind, Action::Kind::Timing);
            QCOMPARE(actionOf(spy, i).elector, i);
            QCOMPARE(actionOf(spy, i).timing.ttl, Duration(2500ms));
        }
        // With each snapshot the editors keep what is typed.
        inspector.setCluster(cluster);
        inspector.setElector(nullptr);
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->value(), 2.5);
    }

    void showsTheElector() {
        Inspector inspector;
        ElectorView e = follower();
        e.leaseStart = 9s;
        e.leaseEnd = 10500ms;
        inspector.setElector(&e, LabTime(10s));
        QCOMPARE(inspector.electorId(), 3);
        QCOMPARE(child<QLabel>(inspector, u"identityLabel"_s)->text(), u"node-3"_s);
        QCOMPARE(child<QLabel>(inspector, u"kindLabel"_s)->text(), u"simulated"_s);
        QCOMPARE(child<QLabel>(inspector, u"stateLabel"_s)->text(), u"follower"_s);
        QCOMPARE(child<QLabel>(inspector, u"fenceLabel"_s)->text(), u"4"_s);
        QCOMPARE(child<QLabel>(inspector, u"seenLeaderLabel"_s)->text(), u"node-0"_s);
        QVERIFY(child<QLabel>(inspector, u"leaseLabel"_s)->text().contains(u"0.500 s"_s));
        QVERIFY(child<QLabel>(inspector, u"clockRateLabel"_s)->text().startsWith(u"1.020"_s));
        QCOMPARE(child<QLabel>(inspector, u"latencyLabel"_s)->text(), u"2.0 ms"_s);
        QCOMPARE(child<QLabel>(inspector, u"storeCallsLabel"_s)->text(), u"17"_s);
        QCOMPARE(child<QLabel>(inspector, u"noteLabel"_s)->text(), u"all quiet"_s);
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->value(), 5.0);
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"refreshSpin"_s)->value(), 1.0);
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"retrySpin"_s)->value(), 1.0);
    }

    // Given a selected elector, when the user types valid timings and clicks Apply, then the
    // inspector asks for exactly those timings.
    void validTimingIsRequested() {
        Inspector inspector;
        const ElectorView e = follower();
        inspector.setElector(&e);
        QSignalSpy spy(&inspector, &Inspector::actionRequested);

        typeSeconds(inspector, u"ttlSpin"_s, u"2.5"_s);
        typeSeconds(inspector, u"refreshSpin"_s, u"0.6"_s);
        typeSeconds(inspector, u"retrySpin"_s, u"0.125"_s);
        QTest::mouseClick(child<QPushButton>(inspector, u"applyButton"_s), Qt::LeftButton);

        QCOMPARE(spy.size(), 1);
        const Action action = actionOf(spy);
        QCOMPARE(action.kind, Action::Kind::Timing);
        QCOMPARE(action.elector, 3);
        QCOMPARE(action.timing.ttl, Duration(2500ms));
        QCOMPARE(action.timing.refreshInterval, Duration(600ms));
        QCOMPARE(action.timing.retryInterval, Duration(125ms));
        for (const QString& name : {u"ttlError"_s, u"refreshError"_s, u"retryError"_s})
            QVERIFY(child<QLabel>(inspector, name)->isHidden());
    }

    // Given timings that break a rule, Apply asks for nothing and shows the rule next to the
    // field it concerns.
    void invalidTimingIsRefused_data() {
        addColumns<double, double, double, QString, QString>("ttl", "refresh", "retry",
                                                             "errorLabel", "rule");
        QTest::newRow("refresh = ttl / 2")
            << 5.0 << 2.5 << 1.0 << u"refreshError"_s << u"must be below ttl / 2"_s;
        QTest::newRow("refresh above ttl")
            << 2.0 << 3.0 << 1.0 << u"refreshError"_s << u"must be below ttl / 2 = 1s"_s;
        QTest::newRow("ttl 0") << 0.0 << 1.0 << 1.0 << u"ttlError"_s << u"must be positive"_s;
        QTest::newRow("refresh 0")
            << 5.0 << 0.0 << 1.0 << u"refreshError"_s << u"must be positive"_s;
        QTest::newRow("retry 0") << 5.0 << 1.0 << 0.0 << u"retryError"_s << u"must be positive"_s;
    }
    void invalidTimingIsRefused() {
        QFETCH(double, ttl);
        QFETCH(double, refresh);
        QFETCH(double, retry);
        QFETCH(QString, errorLabel);
        QFETCH(QString, rule);

        Inspector inspector;
        const ElectorView e = follower();
        inspector.setElector(&e);
        QSignalSpy spy(&inspector, &Inspector::actionRequested);

        child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->setValue(ttl);
        child<QDoubleSpinBox>(inspector, u"refreshSpin"_s)->setValue(refresh);
        child<QDoubleSpinBox>(inspector, u"retrySpin"_s)->setValue(retry);
        QTest::mouseClick(child<QPushButton>(inspector, u"applyButton"_s), Qt::LeftButton);

        QCOMPARE(spy.size(), 0);
        auto* label = child<QLabel>(inspector, errorLabel);
        QVERIFY(!label->isHidden());
        QVERIFY2(label->text().contains(rule), qPrintable(label->text()));
        for (const QString& other :
             {u"ttlError"_s, u"refreshError"_s, u"retryError"_s, u"timingError"_s}) {
            if (other != errorLabel)
                QVERIFY2(child<QLabel>(inspector, other)->isHidden(), qPrintable(other));
        }

        // A snapshot of the same elector leaves the refusal and the typed values alone.
        inspector.setElector(&e);
        QVERIFY(!label->isHidden());
        QCOMPARE(child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->value(), ttl);

        // Fixing the values clears the refusal and the change goes through.
        child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->setValue(6.0);
        child<QDoubleSpinBox>(inspector, u"refreshSpin"_s)->setValue(1.0);
        child<QDoubleSpinBox>(inspector, u"retrySpin"_s)->setValue(0.5);
        QVERIFY(label->isHidden());
        QTest::mouseClick(child<QPushButton>(inspector, u"applyButton"_s), Qt::LeftButton);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(actionOf(spy).timing.ttl, Duration(6s));
    }

    // Given the user is editing, snapshots of the same elector do not touch the editors; a new
    // selection (or Revert) loads the elector's timings.
    void editorsAreLeftAloneWhileEditing() {
        Inspector inspector;
        ElectorView e = follower(1);
        inspector.setElector(&e);
        auto* ttl = child<QDoubleSpinBox>(inspector, u"ttlSpin"_s);
        ttl->setValue(8.0);

        e.timing.ttl = 6s;
        e.storeCalls = 99;
        inspector.setElector(&e, LabTime(20s));
        QCOMPARE(ttl->value(), 8.0);
        QCOMPARE(child<QLabel>(inspector, u"storeCallsLabel"_s)->text(), u"99"_s);
        QVERIFY(child<QLabel>(inspector, u"inEffectLabel"_s)->text().contains(u"6.000"_s));

        QTest::mouseClick(child<QPushButton>(inspector, u"revertButton"_s), Qt::LeftButton);
        QCOMPARE(ttl->value(), 6.0);

        ttl->setValue(9.0);
        ElectorView other = follower(2);
        other.timing.ttl = 3s;
        inspector.setElector(&other);
        QCOMPARE(ttl->value(), 3.0);
        QCOMPARE(inspector.electorId(), 2);
    }

    // Each fault button asks for its kind of action with the amounts set beside it.
    void faultButtons_data() {
        addColumns<ElectorState, QString, Action::Kind, qint64, qint64, double>(
            "state", "button", "kind", "durationMs", "extraMs", "rate");
        const auto f = ElectorState::Follower;
        QTest::newRow("kill") << f << u"killButton"_s << Action::Kind::Crash << qint64(0)
                              << qint64(0) << 1.0;
        QTest::newRow("stop") << ElectorState::Leader << u"stopButton"_s << Action::Kind::Stop
                              << qint64(0) << qint64(0) << 1.0;
        QTest::newRow("start") << ElectorState::Crashed << u"startButton"_s << Action::Kind::Start
                               << qint64(0) << qint64(0) << 1.0;
        QTest::newRow("pause") << f << u"pauseButton"_s << Action::Kind::Pause << qint64(2500)
                               << qint64(0) << 1.0;
        QTest::newRow("resume") << ElectorState::Paused << u"resumeButton"_s << Action::Kind::Resume
                                << qint64(0) << qint64(0) << 1.0;
        QTest::newRow("partition") << f << u"partitionButton"_s << Action::Kind::Partition
                                   << qint64(7250) << qint64(0) << 1.0;
        QTest::newRow("heal") << ElectorState::Partitioned << u"healButton"_s << Action::Kind::Heal
                              << qint64(0) << qint64(0) << 1.0;
        QTest::newRow("latency") << f << u"latencyButton"_s << Action::Kind::Latency << qint64(4000)
                                 << qint64(350) << 1.0;
        QTest::newRow("drift") << f << u"driftButton"_s << Action::Kind::Drift << qint64(0)
                               << qint64(0) << 1.05;
    }
    void faultButtons() {
        QFETCH(ElectorState, state);
        QFETCH(QString, button);
        QFETCH(Action::Kind, kind);
        QFETCH(qint64, durationMs);
        QFETCH(qint64, extraMs);
        QFETCH(double, rate);

        Inspector inspector;
        ElectorView e = follower(4);
        e.state = state;
        e.unavailable = SimBackend::capabilities(state);
        inspector.setElector(&e);
        child<QDoubleSpinBox>(inspector, u"pauseSeconds"_s)->setValue(2.5);
        child<QDoubleSpinBox>(inspector, u"partitionSeconds"_s)->setValue(7.25);
        child<QSpinBox>(inspector, u"latencyMs"_s)->setValue(350);
        child<QDoubleSpinBox>(inspector, u"latencySeconds"_s)->setValue(4);
        child<QDoubleSpinBox>(inspector, u"driftRate"_s)->setValue(1.05);
        QSignalSpy spy(&inspector, &Inspector::actionRequested);

        auto* target = child<QPushButton>(inspector, button);
        QVERIFY(target->isEnabled());
        QTest::mouseClick(target, Qt::LeftButton);
        QCOMPARE(spy.size(), 1);
        const Action action = actionOf(spy);
        QCOMPARE(action.kind, kind);
        QCOMPARE(action.elector, 4);
        QCOMPARE(action.duration, Duration(std::chrono::milliseconds(durationMs)));
        QCOMPARE(action.extra, Duration(std::chrono::milliseconds(extraMs)));
        QCOMPARE(action.rate, rate);
    }

    // Buttons that make no sense for the elector are disabled and say why.
    void disabledStates_data() {
        addColumns<ElectorKind, ElectorState, bool, QString, bool>("kind", "state", "controllable",
                                                                   "button", "enabled");
        const auto sim = ElectorKind::Simulated;
        const auto f = ElectorState::Follower;
        QTest::newRow("start when running") << sim << f << true << u"startButton"_s << false;
        QTest::newRow("start when stopped")
            << sim << ElectorState::Stopped << true << u"startButton"_s << true;
        QTest::newRow("kill when crashed")
            << sim << ElectorState::Crashed << true << u"killButton"_s << false;
        QTest::newRow("stop when stopped")
            << sim << ElectorState::Stopped << true << u"stopButton"_s << false;
        QTest::newRow("pause when paused")
            << sim << ElectorState::Paused << true << u"pauseButton"_s << false;
        QTest::newRow("resume when running") << sim << f << true << u"resumeButton"_s << false;
        QTest::newRow("partition when partitioned")
            << sim << ElectorState::Partitioned << true << u"partitionButton"_s << false;
        QTest::newRow("heal when healthy") << sim << f << true << u"healButton"_s << false;
        // Electors of the Redis backend say what they cannot do (test_redis_backend checks
        // what each kind says); the inspector shows it.
        QTest::newRow("latency on an agent")
            << ElectorKind::Agent << f << true << u"latencyButton"_s << false;
        QTest::newRow("kill an external agent")
            << ElectorKind::External << f << true << u"killButton"_s << false;
        for (const QString& name : {u"killButton"_s, u"stopButton"_s, u"pauseButton"_s,
                                    u"partitionButton"_s, u"applyButton"_s}) {
            QTest::addRow("uncontrollable: %s", qPrintable(name))
                << ElectorKind::External << f << false << name << false;
        }
    }
    void disabledStates() {
        QFETCH(ElectorKind, kind);
        QFETCH(ElectorState, state);
        QFETCH(bool, controllable);
        QFETCH(QString, button);
        QFETCH(bool, enabled);

        Inspector inspector;
        ElectorView e = follower();
        e.kind = kind;
        e.state = state;
        e.controllable = controllable;
        e.unavailable = SimBackend::capabilities(state);
        if (kind == ElectorKind::Agent)
            e.unavailable[std::size_t(Action::Kind::Latency)] = u"no latency control"_s;
        if (kind == ElectorKind::External)
            e.unavailable[std::size_t(Action::Kind::Crash)] = u"not a process of the lab"_s;
        if (!controllable)
            e.unavailable.fill(u"started without --allow-control"_s);
        inspector.setElector(&e);
        QSignalSpy spy(&inspector, &Inspector::actionRequested);
        auto* target = child<QPushButton>(inspector, button);
        QCOMPARE(target->isEnabled(), enabled);
        if (!enabled) {
            QVERIFY2(!target->toolTip().isEmpty(), "a disabled button says why");
            QTest::mouseClick(target, Qt::LeftButton);
            QCOMPARE(spy.size(), 0);
        }
        if (!controllable) {
            QVERIFY(target->toolTip().contains(u"--allow-control"_s));
            QVERIFY(!child<QDoubleSpinBox>(inspector, u"ttlSpin"_s)->isEnabled());
        }
    }

    // A snapshot that changes the elector's state updates the buttons without a new selection.
    void buttonsFollowTheState() {
        Inspector inspector;
        ElectorView e = follower();
        inspector.setElector(&e);
        auto* start = child<QPushButton>(inspector, u"startButton"_s);
        auto* kill = child<QPushButton>(inspector, u"killButton"_s);
        QVERIFY(!start->isEnabled());
        QVERIFY(kill->isEnabled());
        e.state = ElectorState::Crashed;
        e.unavailable = SimBackend::capabilities(e.state);
        inspector.setElector(&e);
        QVERIFY(start->isEnabled());
        QVERIFY(!kill->isEnabled());
        QCOMPARE(kill->toolTip(), u"it is not running"_s);
    }
};

QTEST_MAIN(TestInspector)
#include "test_inspector.moc"
