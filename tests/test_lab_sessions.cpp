// Several resources open at once: LabController runs one backend per session on its own
// thread, forwards actions only to the one on screen, records the others and replays their
// history when shown. Backends here are fakes that say what they were asked; SessionRecord's
// bounds on a manual clock.

#include "support/lab_test_case.h"

#include "backend/lab_controller.h"

#include <QSignalSpy>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

LabEvent info(const QString& detail, LabTime at = {}) {
    LabEvent e;
    e.at = at;
    e.source = LabEvent::Source::Lab;
    e.name = u"info"_s;
    e.detail = detail;
    return e;
}

// Says "<name> began" on begin() and "<name> did <kind>" for each action, with a snapshot.
class FakeBackend : public Backend {
public:
    explicit FakeBackend(QString name)
        : m_name(std::move(name)) {}
    void begin() override { say(m_name + u" began"_s); }
    void act(const Action& a) override { say(m_name + u" did "_s + actionName(a.kind)); }

private:
    void say(const QString& what) {
        ClusterSnapshot s;
        s.simulated = false;
        s.resource = m_name;
        s.now = LabTime(std::chrono::seconds(++m_said * 3));
        Q_EMIT eventsReady({info(what, s.now)});
        Q_EMIT snapshotReady(s);
    }
    QString m_name;
    int m_said = 0;
};

QStringList details(const QSignalSpy& spy) {
    QStringList out;
    for (const auto& args : spy)
        for (const LabEvent& e : args.at(0).value<QVector<LabEvent>>())
            out << e.detail;
    return out;
}

} // namespace

class TestLabSessions : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given two sessions, the second one opened is on screen; the first goes on in the
    // background, and showing it again replays what it said, after the views were cleared.
    void backgroundSessionsAreReplayed() {
        LabController c;
        QSignalSpy events(&c, &LabController::eventsArrived);
        QSignalSpy runs(&c, &LabController::runStarted);
        c.startBackend(std::make_unique<FakeBackend>(u"jobs"_s), false, u"jobs"_s);
        QTRY_COMPARE(details(events), QStringList{u"jobs began"_s});
        c.openSession(u"mail"_s, std::make_unique<FakeBackend>(u"mail"_s));
        QCOMPARE(c.sessions(), (QStringList{u"jobs"_s, u"mail"_s}));
        QCOMPARE(c.currentSession(), u"mail"_s);
        QTRY_VERIFY(details(events).contains(u"mail began"_s));
        QTRY_COMPARE(c.snapshot().resource, u"mail"_s);

        // An action reaches only the session on screen.
        Action stop;
        stop.kind = Action::Kind::Stop;
        c.act(stop);
        QTRY_VERIFY(details(events).contains(u"mail did stop"_s));

        events.clear();
        runs.clear();
        QVERIFY(c.showSession(u"jobs"_s));
        QCOMPARE(runs.count(), 1);                               // the views start afresh ...
        QCOMPARE(details(events), QStringList{u"jobs began"_s}); // ... and get its history
        QCOMPARE(c.snapshot().resource, u"jobs"_s);
        QVERIFY(!c.showSession(u"nope"_s));

        // Opening an open one shows it (and drops the backend offered).
        c.openSession(u"mail"_s, std::make_unique<FakeBackend>(u"other"_s));
        QCOMPARE(c.sessions().size(), 2);
        QCOMPARE(c.currentSession(), u"mail"_s);
        QVERIFY(details(events).contains(u"mail did stop"_s));

        // Closing the one on screen shows the first other one; closing the last empties it.
        c.closeSession(u"mail"_s);
        QCOMPARE(c.sessions(), QStringList{u"jobs"_s});
        QCOMPARE(c.currentSession(), u"jobs"_s);
        c.closeSession(u"jobs"_s);
        QVERIFY(c.sessions().isEmpty());
        QCOMPARE(c.snapshot().resource, QString());
    }

    // A new connection ends every session.
    void startingAgainEndsEverySession() {
        LabController c;
        c.startBackend(std::make_unique<FakeBackend>(u"a"_s), false, u"a"_s);
        c.openSession(u"b"_s, std::make_unique<FakeBackend>(u"b"_s));
        QSignalSpy changed(&c, &LabController::sessionsChanged);
        c.startEmpty();
        QVERIFY(c.sessions().isEmpty());
        QVERIFY(!c.simulated());
        QCOMPARE(changed.count(), 1);
    }

    // The record keeps one snapshot per 2 s of lab time and at most its caps, oldest first out.
    void recordIsBounded() {
        SessionRecord r;
        ClusterSnapshot s;
        for (int ms = 0; ms < 10'000; ms += 40) { // 250 snapshots over 10 s
            s.now = LabTime(std::chrono::milliseconds(ms));
            r.addSnapshot(s);
        }
        QCOMPARE(r.snapshots(), qsizetype(5)); // 0, 2, 4, 6, 8 s
        for (int i = 0; i < 300; ++i)
            r.addEvents(QVector<LabEvent>(100, info(u"x"_s)));
        QVERIFY(r.events() <= SessionRecord::kMaxEvents);
        QVERIFY(r.events() > SessionRecord::kMaxEvents - 100);
        QCOMPARE(r.snapshots(), qsizetype(0)); // older than every kept event
        int batches = 0;
        r.replay([&](const QVector<LabEvent>&) { ++batches; }, [](const ClusterSnapshot&) {});
        QCOMPARE(qsizetype(batches) * 100, r.events());
        r.clear();
        QCOMPARE(r.events(), qsizetype(0));
    }
};

QTEST_MAIN(TestLabSessions)
#include "test_lab_sessions.moc"
