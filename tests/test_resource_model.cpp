// The Resources view's model on a manual clock: rows from directory passes, updated in place;
// the TTL counting down between passes; failovers, flapping and a resource without a leader
// for longer than its TTL; sorting and filtering through a proxy; opening a row.

#include "support/lab_test_case.h"

#include "resources/resource_model.h"
#include "resources/resource_sort_proxy.h"
#include "resources/resources_pane.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

const TimePoint t0 = TimePoint{} + 1h; // any steady time; the model never reads a clock

MemberInfo member(const std::string& id, Duration ttl = 5s) {
    MemberInfo m;
    m.id = id;
    m.state = "follower";
    m.ttl = ttl;
    m.refresh = 1s;
    m.retry = 1s;
    return m;
}

ResourceInfo resource(const std::string& name, const std::string& holder = {},
                      std::uint64_t fence = 0, std::optional<Duration> ttl = {}, int members = 3) {
    ResourceInfo r;
    r.name = name;
    r.key = "baton:{" + name + "}:lock";
    r.holder = holder;
    r.fence = fence;
    r.ttl = ttl;
    for (int i = 0; i < members; ++i)
        r.members.push_back(member(name + "-" + std::to_string(i)));
    return r;
}

DirectoryPass passOf(std::vector<ResourceInfo> resources) {
    DirectoryPass p;
    p.resources = std::move(resources);
    p.atMs = 1e12;
    return p;
}

QString cell(const QAbstractItemModel& m, int row, int column) {
    return m.index(row, column).data().toString();
}

struct Fixture {
    ResourceModel model;
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};
};

} // namespace

class TestResourceModel : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given a pass with three resources, then they are rows in name order with their holder,
    // fence, members and state; a second pass that drops one and adds two updates in place.
    void rowsFollowThePasses() {
        Fixture f;
        f.model.applyPass(passOf({resource("jobs", "a", 7, 4s), resource("mail"),
                                  resource("payments", "p", 9, 3s)}),
                          t0);
        QCOMPARE(f.model.rowCount(), 3);
        QCOMPARE(cell(f.model, 0, ResourceModel::Name), u"jobs"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Holder), u"a"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Fence), u"#7"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Members), u"3"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::State), u"led"_s);
        QCOMPARE(cell(f.model, 1, ResourceModel::Holder), u"(free)"_s);
        QCOMPARE(cell(f.model, 1, ResourceModel::State), u"no leader"_s);

        QSignalSpy reset(&f.model, &QAbstractItemModel::modelReset);
        f.model.applyPass(passOf({resource("alpha", "x", 1, 5s), resource("jobs", "a", 7, 4s),
                                  resource("mail"), resource("zeta", "z", 2, 5s)}),
                          t0 + 1s);
        QCOMPARE(reset.count(), 0);
        QStringList names;
        for (int r = 0; r < f.model.rowCount(); ++r)
            names << cell(f.model, r, ResourceModel::Name);
        QCOMPARE(names, (QStringList{u"alpha"_s, u"jobs"_s, u"mail"_s, u"zeta"_s}));
        QCOMPARE(f.model.rowOf(u"payments"_s), -1);
        QCOMPARE(f.model.rowOf(u"zeta"_s), 3);
    }

    // Given a lock with 4 s left, when time moves on without a pass, then the TTL counts down
    // (and stops at zero); the term's age grows, marked ">=" while only first seen. Time alone
    // is a tick, not a dataChanged of every row (which would make a proxy re-sort them all).
    void ttlCountsDownBetweenPasses() {
        Fixture f;
        f.model.applyPass(passOf({resource("jobs", "a", 7, 4s)}), t0);
        QCOMPARE(cell(f.model, 0, ResourceModel::Ttl), u"4.0 s"_s);
        QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
        QSignalSpy ticked(&f.model, &ResourceModel::ticked);
        f.model.advance(t0 + 1500ms);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(ticked.count(), 1);
        QCOMPARE(cell(f.model, 0, ResourceModel::Ttl), u"2.5 s"_s);
        QCOMPARE(f.model.index(0, ResourceModel::Ttl).data(ResourceModel::RawRole).toLongLong(),
                 2500);
        QCOMPARE(cell(f.model, 0, ResourceModel::TermAge), u">= 1.5 s"_s);
        f.model.advance(t0 + 9s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Ttl), u"0.0 s"_s);
    }

    // Given the server's start of the term, then the term's age is exact.
    void termAgeFromTheServer() {
        Fixture f;
        ResourceInfo r = resource("jobs", "a", 7, 4s);
        r.termStartMs = 1e12 - 90'000; // began 90 s before the pass read it
        f.model.applyPass(passOf({r}), t0);
        QCOMPARE(cell(f.model, 0, ResourceModel::TermAge), u"1 min 30 s"_s);
    }

    // Given a watched resource, when its holder changes, then each change is a failover (the
    // first look is none); more than 3 within 5 minutes is flapping, shown in red and in
    // alerts(); once the changes are older than the window it is led again.
    void failoversAndFlapping() {
        Fixture f;
        QSignalSpy alerts(&f.model, &ResourceModel::alertsChanged);
        f.model.applyPass(passOf({resource("jobs", "a", 1, 5s)}), t0);
        QCOMPARE(cell(f.model, 0, ResourceModel::Failovers), u"0"_s);
        const char* holders[] = {"b", "c", "a", "b"};
        for (int i = 0; i < 4; ++i)
            f.model.applyPass(passOf({resource("jobs", holders[i], std::uint64_t(i + 2), 5s)}),
                              t0 + std::chrono::seconds(10 * (i + 1)));
        QCOMPARE(cell(f.model, 0, ResourceModel::Failovers), u"4"_s);
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::Flapping);
        QVERIFY(f.model.index(0, 0).data(ResourceModel::AlertRole).toBool());
        QVERIFY(f.model.index(0, 0).data(Qt::ForegroundRole).isValid());
        QCOMPARE(cell(f.model, 0, ResourceModel::State), u"flapping: 4 failovers in 5 min"_s);
        QCOMPARE(f.model.alerts(), QStringList{u"jobs: flapping: 4 failovers in 5 min"_s});
        QCOMPARE(alerts.count(), 1);
        // The same holder and fence again: no failover.
        f.model.applyPass(passOf({resource("jobs", "b", 5, 5s)}), t0 + 50s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Failovers), u"4"_s);
        f.model.advance(t0 + 10s + 5min + 1s); // the first change leaves the window
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::Led);
        QVERIFY(f.model.alerts().isEmpty());
        QVERIFY(!f.model.index(0, 0).data(Qt::ForegroundRole).isValid());
    }

    // Given flapping limits of 2 failovers in 1 minute (the Resources pane's setting), when a
    // resource changes holder 3 times within the minute, then it turns red once (turnedRed,
    // the desktop notification's cue) with the limits in its text; widening the limits back
    // to 3 in 5 min makes it led again, and a new turn to red is told again.
    void flappingLimitsAreSettableAndTurningRedIsToldOnce() {
        Fixture f;
        QSignalSpy red(&f.model, &ResourceModel::turnedRed);
        f.model.setFlapping(2, 1min);
        QCOMPARE(f.model.flapFailovers(), 2);
        QCOMPARE(f.model.flapWindow(), Duration(1min));
        f.model.applyPass(passOf({resource("jobs", "a", 1, 5s)}), t0);
        const char* holders[] = {"b", "c", "a"};
        for (int i = 0; i < 3; ++i)
            f.model.applyPass(passOf({resource("jobs", holders[i], std::uint64_t(i + 2), 5s)}),
                              t0 + std::chrono::seconds(10 * (i + 1)));
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::Flapping);
        QCOMPARE(cell(f.model, 0, ResourceModel::State), u"flapping: 3 failovers in 1 min"_s);
        QCOMPARE(red.count(), 1);
        QCOMPARE(red.at(0).at(0).toString(), u"jobs"_s);
        QCOMPARE(red.at(0).at(1).toString(), u"flapping: 3 failovers in 1 min"_s);
        f.model.advance(t0 + 35s); // still red: not told again
        QCOMPARE(red.count(), 1);
        f.model.setFlapping(3, 5min);
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::Led);
        f.model.applyPass(passOf({resource("jobs", "b", 5, 5s)}), t0 + 40s);
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::Flapping);
        QCOMPARE(red.count(), 2);
        f.model.setFlapping(0, 0s); // bounded: at least 1 in 1 s
        QCOMPARE(f.model.flapFailovers(), 1);
        QCOMPARE(f.model.flapWindow(), Duration(1s));
    }

    // Given live members and no holder, then it is "no leader" at once and an alert (red) only
    // once it has been free for longer than its members' TTL; free with no members is idle.
    void noLeaderForLongerThanItsTtl() {
        Fixture f;
        f.model.applyPass(passOf({resource("jobs", {}, 0, {}, 3), resource("old", {}, 0, {}, 0)}),
                          t0);
        QCOMPARE(f.model.status(*f.model.row(0)), ResourceModel::Status::NoLeader);
        QVERIFY(f.model.alerts().isEmpty());
        f.model.advance(t0 + 5s); // exactly its TTL: not yet
        QVERIFY(f.model.alerts().isEmpty());
        QSignalSpy changed(&f.model, &QAbstractItemModel::dataChanged);
        f.model.advance(t0 + 5100ms);
        QCOMPARE(changed.count(), 1); // it turned red
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 0);
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 0);
        QCOMPARE(f.model.alerts(), QStringList{u"jobs: no leader for 5.1 s (ttl 5s)"_s});
        QCOMPARE(cell(f.model, 0, ResourceModel::TermAge), u"free for 5.1 s"_s);
        QCOMPARE(f.model.status(*f.model.row(1)), ResourceModel::Status::Idle);
        // A leader again: the alert goes.
        f.model.applyPass(passOf({resource("jobs", "a", 3, 5s), resource("old", {}, 0, {}, 0)}),
                          t0 + 6s);
        QVERIFY(f.model.alerts().isEmpty());
    }

    // Stale presence entries, unreadable data and foreign locks each have their state.
    void otherStates() {
        Fixture f;
        ResourceInfo stale = resource("a-stale", "x", 1, 5s);
        stale.expiredMembers = 2;
        ResourceInfo bad = resource("b-bad");
        bad.holder.clear();
        bad.members.clear();
        bad.error = "baton:{b-bad}:lock is a hash, not a string";
        ResourceInfo foreign = resource("leader:jobs", "host-1", 0, 8s, 0);
        foreign.foreign = true;
        foreign.key = "leader:jobs";
        f.model.applyPass(passOf({stale, bad, foreign}), t0);
        QCOMPARE(cell(f.model, 0, ResourceModel::State), u"stale presence"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Members), u"3 (+2 stale)"_s);
        QCOMPARE(cell(f.model, 1, ResourceModel::State), u"unreadable"_s);
        QVERIFY(f.model.index(1, 0).data(Qt::ToolTipRole).toString().contains(u"hash"_s));
        QCOMPARE(cell(f.model, 2, ResourceModel::State), u"foreign"_s);
        QCOMPARE(cell(f.model, 2, ResourceModel::Members), QString()); // it has none to count
        QCOMPARE(f.model.rowOf(u"leader:jobs"_s, true), 2);
        QCOMPARE(f.model.rowOf(u"leader:jobs"_s, false), -1);
    }

    // Given a sharded family (its members on the family's name, none on its shards), then a
    // shard's Members cell counts the family's, and says so; a lone name without members says 0.
    void shardsCountTheirFamilysMembers() {
        Fixture f;
        f.model.applyPass(
            passOf({resource("jobs", {}, 0, {}, 3), resource("jobs-0", "a", 1, 5s, 0),
                    resource("jobs-1", "b", 2, 5s, 0), resource("solo", "c", 3, 5s, 0)}),
            t0);
        QCOMPARE(cell(f.model, f.model.rowOf(u"jobs"_s), ResourceModel::State), u"shard family"_s);
        QCOMPARE(cell(f.model, f.model.rowOf(u"jobs-0"_s), ResourceModel::Members),
                 u"3 (of jobs)"_s);
        QCOMPARE(cell(f.model, f.model.rowOf(u"jobs-1"_s), ResourceModel::Members),
                 u"3 (of jobs)"_s);
        QCOMPARE(cell(f.model, f.model.rowOf(u"solo"_s), ResourceModel::Members), u"0"_s);
    }

    // Somebody else's names are shown with their control characters escaped.
    void namesAreShownSafely() {
        Fixture f;
        f.model.applyPass(passOf({resource("evil\n\x1b[2J", "who\tami", 1, 5s)}), t0);
        QCOMPARE(cell(f.model, 0, ResourceModel::Name), u"evil\\n\\x1b[2J"_s);
        QCOMPARE(cell(f.model, 0, ResourceModel::Holder), u"who\\tami"_s);
        QCOMPARE(f.model.index(0, 0).data(ResourceModel::NameRole).toString(),
                 u"evil\n\x1b[2J"_s); // what opening it uses
    }

    // Through a proxy, as the view shows it: sorted by the raw value, filtered by name.
    void sortsAndFilters() {
        Fixture f;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&f.model);
        proxy.setSortRole(ResourceModel::RawRole);
        proxy.setFilterKeyColumn(ResourceModel::Name);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        f.model.applyPass(passOf({resource("a", "x", 30, 1s), resource("b", "y", 4, 9s),
                                  resource("c", "z", 100, 5s)}),
                          t0);
        proxy.sort(ResourceModel::Fence, Qt::DescendingOrder);
        QCOMPARE(cell(proxy, 0, ResourceModel::Name), u"c"_s); // 100 above 30: numbers, not text
        QCOMPARE(cell(proxy, 2, ResourceModel::Name), u"b"_s);
        proxy.sort(ResourceModel::Ttl, Qt::AscendingOrder);
        QCOMPARE(cell(proxy, 0, ResourceModel::Name), u"a"_s);
        proxy.setFilterFixedString(u"B"_s);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(cell(proxy, 0, ResourceModel::Name), u"b"_s);
    }

    // Given names with numbers, then the pane's proxy lists them in natural order, case aside:
    // a sharded scheduler's shard-2 comes before shard-10.
    void namesSortNaturally() {
        Fixture f;
        ResourceSortProxy proxy;
        proxy.setSourceModel(&f.model);
        proxy.setSortRole(ResourceModel::RawRole);
        f.model.applyPass(passOf({resource("shard-10", "x", 1, 1s), resource("shard-2", "y", 2, 1s),
                                  resource("Jobs", "z", 3, 1s), resource("shard-1", "w", 4, 1s),
                                  resource("billing", "v", 5, 1s)}),
                          t0);
        proxy.sort(ResourceModel::Name, Qt::AscendingOrder);
        QStringList names;
        for (int r = 0; r < proxy.rowCount(); ++r)
            names << cell(proxy, r, ResourceModel::Name);
        QCOMPARE(names,
                 (QStringList{u"billing"_s, u"Jobs"_s, u"shard-1"_s, u"shard-2"_s, u"shard-10"_s}));
        proxy.sort(ResourceModel::Fence, Qt::DescendingOrder); // numbers still by value
        QCOMPARE(cell(proxy, 0, ResourceModel::Name), u"billing"_s);
    }

    // Given the pane, when a Baton resource is activated (Enter), then it asks to open it; a
    // foreign lock asks to be opened as one (a read-only tab), by its key.
    void activatingARowOpensIt() {
        ResourcesPane pane;
        pane.resize(700, 300);
        pane.show();
        ResourceInfo foreign = resource("leader:x", "h", 0, 5s, 0);
        foreign.foreign = true;
        pane.model()->applyPass(passOf({resource("jobs", "a", 1, 5s), foreign}), t0);
        QSignalSpy open(&pane, &ResourcesPane::openRequested);
        QSignalSpy openLock(&pane, &ResourcesPane::openLockRequested);
        QTableView* table = pane.table();
        table->setFocus();
        table->setCurrentIndex(pane.proxy()->index(0, 0));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.at(0).at(0).toString(), u"jobs"_s);
        // A double-click opens it too.
        const QRect cellRect = table->visualRect(pane.proxy()->index(0, 1));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellRect.center());
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cellRect.center());
        QCOMPARE(open.count(), 2);
        table->setCurrentIndex(pane.proxy()->index(1, 0));
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(open.count(), 2);
        QCOMPARE(openLock.count(), 1);
        QCOMPARE(openLock.at(0).at(0).toString(), u"leader:x"_s);
    }
};

QTEST_MAIN(TestResourceModel)
#include "test_resource_model.moc"
