// Other libraries' locks watched in the lab: a plain `SET key id PX ttl NX` and a Redisson-style
// hash on a test-owned redis-server, listed by --lock-pattern and opened from the Resources list
// in a read-only tab: the holders in order on the timeline and in the log, the handovers in the
// statistics, every write action disabled with the reason. Garbage keys show a clear "not a
// lock" state. The tracker's rules (expiry vs. takeover, lanes, escapes) on given times first.

#include "support/lab_test_case.h"
#include "support/redis_server.h"
#include "support/resource_rows.h"

#include "backend/foreign_lock_backend.h"
#include "backend/foreign_lock_tracker.h"
#include "cluster/cluster_view.h"
#include "inspector/inspector.h"
#include "log/event_log_model.h"
#include "resources/resources_pane.h"
#include "resources/session_tabs.h"
#include "stats/failover_stats.h"
#include "stats/stats_panel.h"
#include "timeline/leadership_history.h"
#include "windows/main_window.h"

#include <QAction>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace baton::test;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

LockRead held(LabTime at, const std::string& holder, Duration ttl) {
    return LockRead{at, true, holder, ttl, {}};
}

LockRead freeAt(LabTime at) {
    return LockRead{at, true, {}, std::nullopt, {}};
}

// "elected a", "revoked a", "holder b", ...: the term and holder rows, in order.
QStringList termRows(const QVector<LabEvent>& events) {
    QStringList rows;
    for (const LabEvent& e : events)
        if ((e.source == LabEvent::Source::Elector && e.name != u"extended") ||
            e.source == LabEvent::Source::Store)
            rows << (e.identity.isEmpty() ? e.name : e.name + u' ' + e.identity);
    return rows;
}

QString holderShown(MainWindow& w) {
    return w.controller().snapshot().lock.holderIdentity;
}

QString logText(MainWindow& w) {
    QStringList lines;
    for (const LabEvent& e : w.eventLog()->events())
        lines << e.name + u' ' + e.identity + u' ' + e.detail;
    return lines.join(u'\n');
}

MainWindow::Options options() {
    MainWindow::Options o;
    o.lockPatterns = {u"lock:*"_s, u"*:redisson"_s};
    return o;
}

} // namespace

class TestLabForeignLocks : public LabTestCase {
    Q_OBJECT
    RedisServer m_redis;

    // Connects `w`, waits for `key` in the list and opens it: its tab is on screen.
    void openLock(MainWindow& w, const QString& key) {
        w.show();
        w.connectRedis(QString::fromStdString(m_redis.url()), 0);
        ResourcesPane& pane = *w.resourcesPane();
        QTRY_VERIFY_WITH_TIMEOUT(shownRow(pane, key) >= 0, 10000);
        activate(pane, key);
        QCOMPARE(w.sessionTabs()->resources(), QStringList{foreignSessionKey(key)});
        QCOMPARE(w.controller().currentSession(), foreignSessionKey(key));
        QTRY_COMPARE(w.controller().snapshot().resource, key);
    }

    // Every write the lab offers is disabled and says why; one asked for anyway is refused.
    void checkReadOnly(MainWindow& w) {
        const QString why = ForeignLockBackend::readOnlyReason();
        QCOMPARE(why, u"a lock written by another library: Baton only watches it"_s);
        w.clusterView()->setSelected(0);
        for (const char* name :
             {"killLeader", "resignLeader", "addThread", "addAgent", "killElector", "stopElector",
              "startElector", "pauseElector", "partitionElector", "latencyElector", "driftElector",
              "removeElector"}) {
            QAction* a = w.action(QString::fromLatin1(name));
            QTRY_VERIFY2(!a->isEnabled(), name);
            QVERIFY2(a->toolTip().contains(why),
                     qPrintable(a->objectName() + u": "_s + a->toolTip()));
        }
        // The inspector's buttons, for the selected holder, the same.
        for (const char* name : {"killButton", "stopButton", "startButton", "resignButton",
                                 "pauseButton", "resumeButton", "partitionButton", "healButton",
                                 "latencyButton", "driftButton", "applyButton"}) {
            auto* button = w.inspector()->findChild<QPushButton*>(QString::fromLatin1(name));
            QVERIFY2(button, name);
            QTRY_VERIFY2(!button->isEnabled(), name);
            QVERIFY2(button->toolTip().contains(why), qPrintable(button->toolTip()));
        }
        // Only the TTL is seen: no timings to show or edit, for the holder or the lock.
        auto* timing = w.inspector()->findChild<QGroupBox*>(u"timingBox"_s);
        QVERIFY(timing);
        QTRY_VERIFY(timing->isHidden());
        for (const ElectorView& e : w.controller().snapshot().electors) {
            QVERIFY(!e.controllable);
            QVERIFY(!e.timingKnown);
            QCOMPARE(e.unavailable[std::size_t(Action::Kind::Timing)], why);
        }
        QSignalSpy refused(&w.controller(), &LabController::actionRefused);
        w.controller().killLeader();
        QTRY_COMPARE(refused.size(), 1);
        QVERIFY(refused[0][0].toString().contains(why));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.error())); }

    // Given a holder whose key expires between two reads, then a second holder: the first term
    // ends at its expiry (not at the read that saw it gone), the lock is free meanwhile, the
    // second term begins; one holder change.
    void expiryEndsATermAtTheExpiry() {
        ForeignLockTracker t(u"lock:jobs"_s);
        QVector<LabEvent> events = t.take(held(100ms, "a", 300ms));
        events += t.take(held(200ms, "a", 200ms)); // counting down: no extend
        events += t.take(held(300ms, "a", 500ms)); // PEXPIRE: extended to 800 ms
        events += t.take(freeAt(900ms));
        events += t.take(held(1000ms, "b", 1s));
        QCOMPARE(termRows(events), (QStringList{u"holder a"_s, u"elected a"_s, u"revoked a"_s,
                                                u"free"_s, u"holder b"_s, u"elected b"_s}));
        const auto revoked = std::find_if(events.begin(), events.end(),
                                          [](const LabEvent& e) { return e.name == u"revoked"; });
        QCOMPARE(revoked->at, LabTime(800ms));
        QVERIFY2(revoked->detail.contains(u"expired"_s), qPrintable(revoked->detail));
        QCOMPARE(std::count_if(events.begin(), events.end(),
                               [](const LabEvent& e) { return e.name == u"extended"; }),
                 1);
        QCOMPARE(t.holderChanges(), 1);
        QCOMPARE(t.holderShown(), u"b"_s);
        const ClusterSnapshot s = t.snapshot(1100ms, u"why"_s);
        QCOMPARE(s.electors.size(), qsizetype(2));
        QVERIFY(s.electors[1].believesLeader && !s.electors[0].believesLeader);
        QCOMPARE(s.lock.expiresAt, LabTime(2000ms));
        QCOMPARE(s.readOnly, u"why"_s);
    }

    // Given a holder replaced before its PTTL ran out, and an unreachable Redis for a while:
    // the takeover is seen at once, the outage ends nobody's term and is said once.
    void takeoverAndOutage() {
        ForeignLockTracker t(u"lock:jobs"_s);
        QVector<LabEvent> events = t.take(held(0ms, "a", 10s));
        events += t.take(LockRead{100ms, false, {}, std::nullopt, "connection refused"});
        events += t.take(LockRead{200ms, false, {}, std::nullopt, "connection refused"});
        QCOMPARE(t.holderShown(), u"a"_s);
        QVERIFY(t.problem().contains(u"connection refused"_s));
        QVERIFY(!t.snapshot(200ms, {}).lock.known);
        events += t.take(held(300ms, "b", 10s));
        QVERIFY(t.problem().isEmpty());
        QCOMPARE(termRows(events), (QStringList{u"holder a"_s, u"elected a"_s, u"revoked a"_s,
                                                u"holder b"_s, u"elected b"_s}));
        QCOMPARE(std::count_if(events.begin(), events.end(),
                               [](const LabEvent& e) { return e.name == u"error"; }),
                 1);
        const auto revoked = std::find_if(events.begin(), events.end(),
                                          [](const LabEvent& e) { return e.name == u"revoked"; });
        QVERIFY(revoked->detail.contains(u"before its PTTL ran out"_s));
        QVERIFY(revoked->detail.contains(u"b took it"_s));
        QCOMPARE(revoked->at, LabTime(300ms));
    }

    // Given garbage (a key of another type, a value too long, escape codes in a holder), then
    // the tracker shows "not a lock" or the holder escaped, and never grows past its lanes.
    void garbageIsShownSafely() {
        ForeignLockTracker t(u"lock:\x1b[2J"_s);
        QVector<LabEvent> events = t.take(held(0ms, "\x1b[31mred\r\nforged", 1s));
        const ClusterSnapshot s = t.snapshot(0ms, {});
        QCOMPARE(s.electors.size(), qsizetype(1));
        for (const QString& text : {s.electors[0].identity, s.lock.holderIdentity}) {
            QVERIFY2(!text.contains(QChar(0x1b)) && !text.contains(u'\n'), qPrintable(text));
            QVERIFY(text.contains(u"\\x1b"_s));
        }
        events += t.take(LockRead{100ms, true, {}, std::nullopt, "a list key, not a lock"});
        QVERIFY2(t.problem().contains(u"not shown as a lock"_s), qPrintable(t.problem()));
        QVERIFY(!t.problem().contains(QChar(0x1b)));
        QVERIFY(t.holderShown().isEmpty());
        QCOMPARE(termRows(events).mid(2),
                 (QStringList{u"revoked \\x1b[31mred\\r\\nforged"_s, u"free"_s}));
        for (int i = 0; i < 3 * ForeignLockTracker::kMaxLanes; ++i)
            t.take(held(LabTime(200ms) + i * 10ms, "token-" + std::to_string(i), 1s));
        QCOMPARE(t.snapshot(2s, {}).electors.size(), qsizetype(ForeignLockTracker::kMaxLanes));
        QCOMPARE(t.holderShown(), u"token-71"_s);
    }

    // Given a SET-PX lock held by "a" (--lock-pattern), when its tab is opened from the
    // Resources list and the lock expires, then "b" takes it: the timeline and the log show a,
    // the gap, then b; the statistics count one handover with its gap; writes are disabled.
    void aSetPxLockInItsTab() {
        const QString key = u"lock:scheduler"_s;
        QCOMPARE(m_redis.cli({u"SET"_s, key, u"a"_s, u"PX"_s, u"60000"_s, u"NX"_s}), u"OK"_s);
        MainWindow w(options());
        openLock(w, key);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"a"_s, 10000);
        QVERIFY(w.sessionTabs()->tabText(0).contains(u"read-only"_s));
        checkReadOnly(w);
        QCOMPARE(m_redis.cli({u"PEXPIRE"_s, key, u"150"_s}), u"1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(holderShown(w).isEmpty(), 5000);
        QVERIFY(w.statusText().contains(u"no leader"_s));
        QCOMPARE(m_redis.cli({u"SET"_s, key, u"b"_s, u"PX"_s, u"60000"_s, u"NX"_s}), u"OK"_s);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"b"_s, 5000);
        QVERIFY(w.statusText().contains(u"leader: b"_s));
        QCOMPARE(m_redis.cli({u"GET"_s, key}), u"b"_s); // nothing written

        QTRY_COMPARE(termRows(w.eventLog()->events()),
                     (QStringList{u"holder a"_s, u"elected a"_s, u"revoked a"_s, u"free"_s,
                                  u"holder b"_s, u"elected b"_s}));
        QVERIFY2(logText(w).contains(u"expired"_s), qPrintable(logText(w)));
        const LeadershipHistory& h = *w.history();
        QCOMPARE(h.electors(), (QVector<int>{0, 1}));
        QCOMPARE(h.identity(0), u"a"_s);
        QCOMPARE(h.identity(1), u"b"_s);
        const QVector<TermItem> a = h.terms(0, LabTime{}, h.now());
        const QVector<TermItem> b = h.terms(1, LabTime{}, h.now());
        QCOMPARE(a.size(), qsizetype(1));
        QCOMPARE(b.size(), qsizetype(1));
        QVERIFY(a[0].end < b[0].begin); // the gap without a holder
        QCOMPARE(h.holders(LabTime{}, h.now()).size(), qsizetype(2));

        const LatencySummary gaps = w.stats()->overall();
        QCOMPARE(gaps.count, qsizetype(1));
        QVERIFY(gaps.median > Duration::zero() && gaps.max >= gaps.median);
        QVERIFY(gaps.max < b[0].begin - a[0].begin);
        w.findChild<StatsPanel*>()->refresh(); // behind the log's tab: not refreshed by itself
        QCOMPARE(w.findChild<QLabel*>(u"failoverCount"_s)->text(), u"1"_s);
        QVERIFY(!w.findChild<QLabel*>(u"maxLatency"_s)->text().contains(u"\u2014"_s));
        checkReadOnly(w);
        m_redis.cli({u"DEL"_s, key});
    }

    // Given a Redisson-style hash lock ({"<uuid>:<threadId>": reentry count} + PEXPIRE), when
    // it is re-entered (HINCRBY), then released and taken by another client's thread: one
    // holder change, the reentry none; the holder is the field.
    void aRedissonHashLockInItsTab() {
        const QString key = u"jobs:redisson"_s;
        const QString first = u"6f1c2d3e-0a1b-4c5d-8e9f-0123456789ab:1"_s;
        const QString second = u"d4c3b2a1-9f8e-4d7c-6b5a-ba9876543210:57"_s;
        m_redis.cli({u"HSET"_s, key, first, u"1"_s});
        QCOMPARE(m_redis.cli({u"PEXPIRE"_s, key, u"30000"_s}), u"1"_s);
        MainWindow w(options());
        openLock(w, key);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), first, 10000);
        m_redis.cli({u"HINCRBY"_s, key, first, u"1"_s}); // re-entered: still the same holder
        QCOMPARE(m_redis.cli({u"PEXPIRE"_s, key, u"30000"_s}), u"1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(logText(w).contains(u"extended "_s + first), 5000);
        m_redis.cli({u"DEL"_s, key}); // unlock
        m_redis.cli({u"HSET"_s, key, second, u"1"_s});
        m_redis.cli({u"PEXPIRE"_s, key, u"30000"_s});
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), second, 5000);
        const QStringList rows = termRows(w.eventLog()->events());
        QCOMPARE(rows.first(), u"holder "_s + first);
        QCOMPARE(rows.last(), u"elected "_s + second);
        QVERIFY2(rows.contains(u"revoked "_s + first), qPrintable(rows.join(u'\n')));
        QCOMPARE(rows.count(u"elected "_s + first), 1);
        QTRY_COMPARE(w.stats()->overall().count, qsizetype(1));
        QCOMPARE(w.controller().snapshot().lock.fence, quint64(2));
        // HSET and PEXPIRE are two commands here (one script in Redisson): a read may fall
        // between them and see no expiry for a moment.
        QTRY_VERIFY(w.controller().snapshot().lock.expiresAt > w.controller().snapshot().now);
        checkReadOnly(w);
        m_redis.cli({u"DEL"_s, key});
    }

    // Given keys that match the pattern but are no locks (a list, a value of 4 kB, a holder
    // with escape codes), when each is opened, then the tab says "not shown as a lock" or
    // shows the holder escaped; nothing crashes.
    void garbageKeysInTheirTabs() {
        m_redis.cli({u"RPUSH"_s, u"lock:list"_s, u"x"_s});
        m_redis.cli({u"SET"_s, u"lock:big"_s, QString(4096, u'v')});
        m_redis.cli({u"SET"_s, u"lock:esc"_s, u"\x1b[2J\r\nforged"_s, u"PX"_s, u"60000"_s});
        MainWindow w(options());
        openLock(w, u"lock:list"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            w.controller().snapshot().storeStatus.contains(u"not shown as a lock"_s), 5000);
        QVERIFY(w.statusText().contains(u"list"_s));
        activate(*w.resourcesPane(), u"lock:big"_s);
        QTRY_VERIFY(w.controller().snapshot().resource == u"lock:big"_s);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller().snapshot().storeStatus.contains(u"too long"_s),
                                 5000);
        activate(*w.resourcesPane(), u"lock:esc"_s);
        QCOMPARE(w.sessionTabs()->count(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(holderShown(w).contains(u"\\x1b[2J\\r\\nforged"_s), 5000);
        for (const LabEvent& e : w.eventLog()->events())
            QVERIFY2(!e.identity.contains(QChar(0x1b)) && !e.detail.contains(QChar(0x1b)),
                     qPrintable(e.detail));
        m_redis.cli({u"DEL"_s, u"lock:list"_s, u"lock:big"_s, u"lock:esc"_s});
    }

    // Given `baton --redis URL --lock K1 --lock K2` (Options::locks; a watch: no agents, no
    // pattern needed), when the window opens, then both keys have their read-only tabs, the
    // last one is shown with its holder, and switching shows the first one's holder.
    void lockOptionOpensTabsAtStart() {
        const QString first = u"reports:leader"_s; // matches no pattern: opened all the same
        const QString second = u"lock:billing"_s;
        m_redis.cli({u"SET"_s, first, u"host-a:4242"_s, u"PX"_s, u"60000"_s, u"NX"_s});
        m_redis.cli({u"SET"_s, second, u"host-b:17"_s, u"PX"_s, u"60000"_s, u"NX"_s});
        MainWindow::Options o;
        o.redisUrl = QString::fromStdString(m_redis.url());
        o.watch = true;
        o.agents = 0;
        o.locks = {first, second};
        MainWindow w(o);
        w.show();
        QCOMPARE(w.sessionTabs()->resources(),
                 (QStringList{foreignSessionKey(first), foreignSessionKey(second)}));
        QCOMPARE(w.controller().currentSession(), foreignSessionKey(second));
        QVERIFY(w.sessionTabs()->tabText(1).contains(second));
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"host-b:17"_s, 10000);
        QTRY_VERIFY(w.statusText().contains(u"leader: host-b:17"_s));
        for (const char* name : {"killLeader", "resignLeader", "addThread", "addAgent"}) // a watch
            QVERIFY2(!w.action(QString::fromLatin1(name))->isEnabled(), name);
        QCOMPARE(w.controller().snapshot().electors.size(), qsizetype(1)); // the holder, no agent
        w.sessionTabs()->setCurrentIndex(0);
        QTRY_COMPARE_WITH_TIMEOUT(holderShown(w), u"host-a:4242"_s, 5000);
        QCOMPARE(m_redis.cli({u"GET"_s, first}), u"host-a:4242"_s); // nothing written
        m_redis.cli({u"DEL"_s, first, second});
    }
};

QTEST_MAIN(TestLabForeignLocks)
#include "test_lab_foreign_locks.moc"
