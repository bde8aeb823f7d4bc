// The Shards view on fixed input: shard names read as families, the grid model built from the
// Resources view's model (one row per shard, one column per member, who leads, the fair share,
// a shard without a leader, a dead holder), and the pane legible and scrolling at 64 x 8.

#include "support/lab_test_case.h"

#include "resources/resource_model.h"
#include "shards/shard_agents.h"
#include "shards/shard_family.h"
#include "shards/shard_grid_model.h"
#include "shards/shards_pane.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

const TimePoint t0 = TimePoint{} + 1h; // any steady time; the models never read a clock

MemberInfo member(const std::string& id) {
    MemberInfo m;
    m.id = id;
    m.ttl = 1s;
    m.refresh = 200ms;
    m.retry = 1s;
    m.host = "box";
    m.pid = 42;
    return m;
}

// The family's presence row, as the directory reads it: no lock, its live members.
ResourceInfo family(const std::string& name, const std::vector<std::string>& members) {
    ResourceInfo r;
    r.name = name;
    r.key = "baton:{" + name + "}:lock";
    for (const auto& id : members)
        r.members.push_back(member(id));
    return r;
}

ResourceInfo shard(const std::string& name, const std::string& holder, std::uint64_t fence) {
    ResourceInfo r;
    r.name = name;
    r.key = "baton:{" + name + "}:lock";
    r.holder = holder;
    r.fence = fence;
    r.ttl = 800ms;
    return r;
}

DirectoryPass passOf(std::vector<ResourceInfo> resources) {
    DirectoryPass p;
    std::sort(resources.begin(), resources.end(),
              [](const ResourceInfo& a, const ResourceInfo& b) { return a.name < b.name; });
    p.resources = std::move(resources);
    p.atMs = 1e12;
    return p;
}

// `shards` shards of "jobs", shard i led by holders[i % holders.size()], and `members` live.
DirectoryPass jobs(int shards, const std::vector<std::string>& holders,
                   const std::vector<std::string>& members) {
    std::vector<ResourceInfo> rs{family("jobs", members)};
    for (int i = 0; i < shards; ++i)
        rs.push_back(shard("jobs-" + std::to_string(i), holders[std::size_t(i) % holders.size()],
                           std::uint64_t(100 + i)));
    return passOf(rs);
}

// The members that lead shard `row` in the grid.
QStringList leadersOf(const ShardGridModel& g, int row) {
    QStringList out;
    for (int c = 0; c < g.columnCount(); ++c)
        if (g.index(row, c).data(ShardGridModel::LeadsRole).toBool())
            out << QString::fromStdString(g.member(c).id);
    return out;
}

struct Fixture {
    ResourceModel resources;
    ShardGridModel grid;
    QAbstractItemModelTester tester{&grid, QAbstractItemModelTester::FailureReportingMode::QtTest};
    Fixture() { grid.setFamily(u"jobs"_s); }
    void pass(const DirectoryPass& p, TimePoint at) {
        resources.applyPass(p, at);
        grid.refresh(resources, at);
    }
};

} // namespace

class TestShardGrid : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    void shardNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("family");
        QTest::addColumn<int>("index");
        QTest::newRow("first") << u"jobs-0"_s << u"jobs"_s << 0;
        QTest::newRow("dashes in the family") << u"mail-eu-12"_s << u"mail-eu"_s << 12;
        QTest::newRow("no index") << u"jobs"_s << QString() << -1;
        QTest::newRow("leading zero") << u"jobs-01"_s << QString() << -1;
        QTest::newRow("not digits") << u"jobs-1a"_s << QString() << -1;
        QTest::newRow("no family") << u"-3"_s << QString() << -1;
        QTest::newRow("trailing dash") << u"jobs-"_s << QString() << -1;
        QTest::newRow("too large") << u"jobs-10000000"_s << QString() << -1;
        QTest::newRow("largest") << u"jobs-999999"_s << u"jobs"_s << 999999;
    }
    // Given a resource name, then it reads as shard INDEX of FAMILY, or as no shard.
    void shardNames() {
        QFETCH(QString, name);
        QFETCH(QString, family);
        QFETCH(int, index);
        const auto s = shardOf(name.toStdString());
        QCOMPARE(s.has_value(), index >= 0);
        if (s) {
            QCOMPARE(QString::fromStdString(s->family), family);
            QCOMPARE(s->index, index);
        }
    }

    // Given names, then a family is one with shards listed and itself listed (its presence),
    // or with two shards at least; a lone "build-2024" is no family.
    void familiesOfAList() {
        const std::vector<std::string> names{"jobs",       "jobs-0", "jobs-1", "mail-3",
                                             "build-2024", "cron-0", "cron-7", "cron"};
        QCOMPARE(shardFamilies(names), (std::vector<std::string>{"cron", "jobs"}));
        QCOMPARE(shardFamilies({"mail", "mail-0"}), (std::vector<std::string>{"mail"}));
        QVERIFY(shardFamilies({"a", "b-x"}).empty());
    }

    // Given 6 shards led two each by 3 live members, then the grid has 6 rows and 3 columns,
    // one leader a row, "2 / share 2" under each member, and every shard led.
    void sixShardsThreeMembersTwoEach() {
        Fixture f;
        f.pass(jobs(6, {"node-a", "node-b", "node-c"}, {"node-c", "node-a", "node-b"}), t0);
        QCOMPARE(f.grid.rowCount(), 6);
        QCOMPARE(f.grid.columnCount(), 3);
        QCOMPARE(f.grid.fairShare(), 2);
        QCOMPARE(f.grid.unled(), 0);
        for (int r = 0; r < 6; ++r) {
            QCOMPARE(leadersOf(f.grid, r).size(), 1);
            QCOMPARE(f.grid.headerData(r, Qt::Vertical).toString(), u"jobs-%1"_s.arg(r));
        }
        QCOMPARE(leadersOf(f.grid, 4), QStringList{u"node-b"_s});
        for (int c = 0; c < 3; ++c) {
            QCOMPARE(f.grid.member(c).id, "node-" + std::string(1, char('a' + c))); // by id
            QCOMPARE(f.grid.member(c).led, 2);
            QCOMPARE(f.grid.headerData(c, Qt::Horizontal).toString(),
                     u"node-%1\n2 / share 2"_s.arg(QChar(u'a' + c)));
        }
        QCOMPARE(f.grid.index(1, 1).data().toString(), u"#101"_s);
        QVERIFY(f.grid.index(1, 0).data().toString().isEmpty());
        const QString tip = f.grid.index(1, 1).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(u"node-b leads jobs-1"_s) && tip.contains(u"fence 101"_s) &&
                     tip.contains(u"term >= 0.0 s"_s) && tip.contains(u"0.8 s"_s),
                 qPrintable(tip));
        QCOMPARE(
            f.grid.summary(),
            u"jobs: 6 shards · 3 live members · fair share 2 (ceil 6 / 3) · every shard led"_s);
        // The family's own row in the Resources list is no alert: its shards have leaders.
        const int row = f.resources.rowOf(u"jobs"_s);
        QCOMPARE(f.resources.status(*f.resources.row(row)), ResourceModel::Status::Sharded);
        f.resources.advance(t0 + 10s);
        QVERIFY2(f.resources.alerts().isEmpty(), qPrintable(f.resources.alerts().join(u'\n')));
    }

    // Given a killed member whose locks have not yet run out and whose presence is gone, then
    // its column stays, marked gone, until the others hold its shards: then it is gone.
    void aDeadMembersColumnGoesWhenItsShardsAreTaken() {
        Fixture f;
        f.pass(jobs(6, {"node-a", "node-b", "node-c"}, {"node-a", "node-b", "node-c"}), t0);
        f.pass(jobs(6, {"node-a", "node-b", "node-c"}, {"node-a", "node-b"}), t0 + 1s);
        QCOMPARE(f.grid.columnCount(), 3);
        QVERIFY(!f.grid.member(2).live);
        QCOMPARE(f.grid.headerData(2, Qt::Horizontal).toString(), u"node-c (gone)\n2"_s);
        QCOMPARE(f.grid.fairShare(), 3);
        f.pass(jobs(6, {"node-a", "node-b"}, {"node-a", "node-b"}), t0 + 2s);
        QCOMPARE(f.grid.columnCount(), 2);
        QCOMPARE(f.grid.columnOf(u"node-c"_s), -1);
        QCOMPARE(f.grid.member(0).led, 3);
        QCOMPARE(f.grid.member(1).led, 3);
        QCOMPARE(f.grid.headerData(0, Qt::Horizontal).toString(), u"node-a\n3 / share 3"_s);
    }

    // Given a shard whose lock vanished (nobody leads it: no key left to list), then its row
    // stays, empty, marked red and "no leader"; so does a lower index never listed.
    void aShardWithoutALeaderIsARedRow() {
        Fixture f;
        f.pass(jobs(4, {"node-a", "node-b"}, {"node-a", "node-b"}), t0);
        DirectoryPass p = jobs(4, {"node-a", "node-b"}, {"node-a", "node-b"});
        p.resources.erase(std::find_if(p.resources.begin(), p.resources.end(),
                                       [](const auto& r) { return r.name == "jobs-2"; }));
        p.resources.erase(std::find_if(p.resources.begin(), p.resources.end(),
                                       [](const auto& r) { return r.name == "jobs-3"; }));
        p.resources.push_back(shard("jobs-5", "node-a", 7));
        f.pass(passOf(p.resources), t0 + 1s);
        QCOMPARE(f.grid.rowCount(), 6); // 0 ... 5: 2, 3 and 4 without a leader
        QCOMPARE(f.grid.unled(), 3);
        for (const int r : {2, 3, 4}) {
            QVERIFY(leadersOf(f.grid, r).isEmpty());
            QVERIFY(f.grid.headerData(r, Qt::Vertical, ShardGridModel::UnledRole).toBool());
            QCOMPARE(f.grid.headerData(r, Qt::Vertical).toString(),
                     u"jobs-%1 · no leader"_s.arg(r));
            QVERIFY(f.grid.headerData(r, Qt::Vertical, Qt::ForegroundRole).isValid());
            QVERIFY(f.grid.index(r, 0).data(Qt::BackgroundRole).isValid());
        }
        QVERIFY(!f.grid.headerData(0, Qt::Vertical, ShardGridModel::UnledRole).toBool());
        QVERIFY(f.grid.summary().endsWith(u"3 shards without a leader"_s));
    }

    // Given members that state the family's 8 shards but only 3 listed (shards 3 ... 7 never
    // led since connecting), then every row 0 ... 7 shows, the unled ones red, and the fair
    // share counts all 8.
    void aStatedCountShowsShardsNeverSeen() {
        Fixture f;
        DirectoryPass p = jobs(3, {"node-a", "node-b"}, {"node-a", "node-b"});
        for (MemberInfo& m : p.resources.front().members)
            m.shardCount = 8;
        f.pass(p, t0);
        QCOMPARE(f.grid.statedShards(), 8);
        QVERIFY(!f.grid.statedCountsDisagree());
        QCOMPARE(f.grid.rowCount(), 8);
        QCOMPARE(f.grid.unled(), 5);
        QCOMPARE(f.grid.fairShare(), 4);
        for (int r = 3; r < 8; ++r) {
            QVERIFY(leadersOf(f.grid, r).isEmpty());
            QCOMPARE(f.grid.headerData(r, Qt::Vertical).toString(),
                     u"jobs-%1 · no leader"_s.arg(r));
            QVERIFY(f.grid.headerData(r, Qt::Vertical, Qt::ForegroundRole).isValid());
            QVERIFY(f.grid.index(r, 1).data(Qt::BackgroundRole).isValid());
        }
        QCOMPARE(f.grid.summary(), u"jobs: 8 shards · 2 live members · fair share 4 (ceil 8 / 2) "
                                   u"· 5 shards without a leader"_s);
        // Without a stated count, what was seen stays: the 8 rows.
        f.pass(jobs(3, {"node-a", "node-b"}, {"node-a", "node-b"}), t0 + 1s);
        QCOMPARE(f.grid.statedShards(), 0);
        QCOMPARE(f.grid.rowCount(), 8);
    }

    // Given a family shrunk from 6 shards to 4 (its agents restarted with --shards 4), then
    // the red rows 4 and 5 go; a shard beyond the count somebody still holds stays a row.
    void aShrunkFamilyLosesItsRedRows() {
        Fixture f;
        f.pass(jobs(6, {"node-a", "node-b"}, {"node-a", "node-b"}), t0);
        DirectoryPass p = jobs(4, {"node-a", "node-b"}, {"node-a", "node-b"});
        for (MemberInfo& m : p.resources.front().members)
            m.shardCount = 4;
        f.pass(p, t0 + 1s);
        QCOMPARE(f.grid.rowCount(), 4);
        QCOMPARE(f.grid.unled(), 0);
        p.resources.push_back(shard("jobs-6", "old-agent", 9)); // not yet run out
        f.pass(passOf(p.resources), t0 + 2s);
        QCOMPARE(f.grid.rowCount(), 7); // 4 and 5 free, 6 held
        QCOMPARE(f.grid.unled(), 2);
        QCOMPARE(leadersOf(f.grid, 6), QStringList{u"old-agent"_s});
    }

    // Given live members that state 4 and 6 shards (one restarted with another --shards),
    // then the grid shows the largest, 6, and the summary says they disagree.
    void disagreeingCountsTakeTheLargest() {
        Fixture f;
        DirectoryPass p = jobs(4, {"node-a", "node-b", "node-c"}, {"node-a", "node-b", "node-c"});
        auto& members = p.resources.front().members;
        members[0].shardCount = 4;
        members[1].shardCount = 6;
        // node-c states none (an agent older than the count): it does not count as disagreeing
        f.pass(p, t0);
        QCOMPARE(f.grid.statedShards(), 6);
        QVERIFY(f.grid.statedCountsDisagree());
        QCOMPARE(f.grid.rowCount(), 6);
        QCOMPARE(f.grid.unled(), 2);
        QCOMPARE(f.grid.summary(), u"jobs: 6 shards · 3 live members · fair share 2 (ceil 6 / 3) "
                                   u"· members state 4 to 6 shards: showing 6 "
                                   u"· 2 shards without a leader"_s);
    }

    // Given the same pass twice, then nothing is reset or changed; a new holder changes cells.
    void unchangedPassesChangeNothing() {
        Fixture f;
        f.pass(jobs(6, {"node-a", "node-b"}, {"node-a", "node-b"}), t0);
        QSignalSpy resets(&f.grid, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&f.grid, &QAbstractItemModel::dataChanged);
        f.pass(jobs(6, {"node-a", "node-b"}, {"node-a", "node-b"}), t0 + 1s);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(changes.size(), 0);
        f.pass(jobs(6, {"node-b", "node-a"}, {"node-a", "node-b"}), t0 + 2s);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(changes.size(), 1);
        QCOMPARE(leadersOf(f.grid, 0), QStringList{u"node-b"_s});
    }

    // Given the pane over a Resources model with 64 shards and 8 members, then it says the
    // family appeared, shows it, and every header is readable in full (at 200 % too: this suite
    // also runs with QT_SCALE_FACTOR=2), with scroll bars in a small pane.
    void sixtyFourByEightScrollsAndReads() {
        ResourceModel resources;
        ShardsPane pane(&resources);
        QSignalSpy appeared(&pane, &ShardsPane::familiesAppeared);
        std::vector<std::string> ids;
        for (int i = 0; i < 8; ++i)
            ids.push_back("worker-" + std::string(1, char('a' + i)) + ".example");
        resources.applyPass(jobs(64, ids, ids), t0);
        QTRY_COMPARE(appeared.size(), 1);
        QCOMPARE(appeared.front().front().toStringList(), QStringList{u"jobs"_s});
        QCOMPARE(pane.family(), u"jobs"_s);
        QCOMPARE(pane.model()->rowCount(), 64);
        QCOMPARE(pane.model()->columnCount(), 8);
        pane.resize(400, 300);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QTableView* t = pane.table();
        QVERIFY(t->verticalScrollBar()->maximum() > 0);
        QVERIFY(t->horizontalScrollBar()->maximum() > 0);
        const QFontMetrics fm(t->horizontalHeader()->font());
        for (int c = 0; c < 8; ++c) {
            const QString text = pane.model()->headerData(c, Qt::Horizontal).toString();
            QVERIFY2(t->columnWidth(c) >= fm.horizontalAdvance(text.section(u'\n', 0, 0)),
                     qPrintable(text));
        }
        QVERIFY(t->horizontalHeader()->height() >= 2 * fm.height());
        QVERIFY(t->rowHeight(0) >= t->fontMetrics().height());
        QVERIFY(t->verticalHeader()->width() >=
                QFontMetrics(t->verticalHeader()->font()).horizontalAdvance(u"jobs-63"_s));
        QCOMPARE(
            pane.summary(),
            u"jobs: 64 shards · 8 live members · fair share 8 (ceil 64 / 8) · every shard led"_s);
        // A new connection forgets it all.
        resources.clear();
        QTRY_COMPARE(pane.model()->rowCount(), 0);
    }

    // Given resources named like shards but no family presence row (build-1, build-2), then the
    // pane lists the family but does not ask to be shown; once jobs' agents appear, it does.
    void onlyAnAgentsFamilyAsksToBeShown() {
        ResourceModel resources;
        ShardsPane pane(&resources);
        QSignalSpy appeared(&pane, &ShardsPane::familiesAppeared);
        resources.applyPass(passOf({shard("build-1", "ci", 1), shard("build-2", "ci", 2)}), t0);
        QTRY_COMPARE(pane.families(), QStringList{u"build"_s});
        QCOMPARE(appeared.size(), 0);
        DirectoryPass both = jobs(2, {"a"}, {"a"});
        both.resources.push_back(shard("build-1", "ci", 1));
        both.resources.push_back(shard("build-2", "ci", 2));
        resources.applyPass(passOf(both.resources), t0 + 1s);
        QTRY_COMPARE(appeared.size(), 1);
        QCOMPARE(appeared.front().front().toStringList(), QStringList{u"jobs"_s});
        QCOMPARE(pane.families(), (QStringList{u"build"_s, u"jobs"_s}));
        QVERIFY(pane.showFamily(u"jobs"_s));
        QVERIFY(!pane.showFamily(u"mail"_s));
        QCOMPARE(pane.family(), u"jobs"_s);
    }

    // The lab's sharded agents are named FAMILY-agent-a, -b, ..., -z, -aa, ...
    void agentLettersCount() {
        QCOMPARE(agentLetters(0), u"a"_s);
        QCOMPARE(agentLetters(25), u"z"_s);
        QCOMPARE(agentLetters(26), u"aa"_s);
        QCOMPARE(agentLetters(27), u"ab"_s);
    }
};

QTEST_MAIN(TestShardGrid)
#include "test_shard_grid.moc"
