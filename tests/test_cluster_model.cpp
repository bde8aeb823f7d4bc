// The cluster table: one row per elector, updated in place from snapshots.

#include "support/lab_test_case.h"

#include "cluster/cluster_model.h"
#include "style/lab_colors.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace {

ElectorView elector(int id) {
    ElectorView e;
    e.id = id;
    e.identity = u"node-%1"_s.arg(id);
    e.kind = ElectorKind::Simulated;
    e.state = ElectorState::Follower;
    e.fence = 0;
    e.timing = Timing{5s, 1s, 1s};
    e.storeCalls = static_cast<quint64>(10 * id);
    return e;
}

ClusterSnapshot snapshotOf(int count, LabTime now = 10s) {
    ClusterSnapshot s;
    s.now = now;
    for (int id = 0; id < count; ++id)
        s.electors.append(elector(id));
    return s;
}

QList<int> changedRows(const QSignalSpy& spy) {
    QList<int> rows;
    for (const QList<QVariant>& args : spy) {
        const auto from = args.at(0).value<QModelIndex>();
        const auto to = args.at(1).value<QModelIndex>();
        for (int row = from.row(); row <= to.row(); ++row)
            rows << row;
    }
    return rows;
}

} // namespace

class TestClusterModel : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given snapshots whose elector count changes, the model inserts and removes rows (never a
    // reset) and always matches the latest snapshot.
    void followsTheCount_data() {
        QTest::addColumn<QVector<int>>("counts");
        QTest::newRow("grow from empty") << QVector<int>{0, 5};
        QTest::newRow("steady") << QVector<int>{5, 5, 5};
        QTest::newRow("shrink and grow") << QVector<int>{5, 3, 6, 1, 4};
        QTest::newRow("down to nothing") << QVector<int>{4, 0, 0, 2};
    }
    void followsTheCount() {
        QFETCH(QVector<int>, counts);
        ClusterModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelAboutToBeReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        int previous = 0;
        LabTime now = 1s;
        for (int count : counts) {
            inserted.clear();
            removed.clear();
            now += 100ms;
            model.setSnapshot(snapshotOf(count, now));
            QCOMPARE(model.rowCount(), count);
            QCOMPARE(inserted.size(), count > previous ? 1 : 0);
            QCOMPARE(removed.size(), count < previous ? 1 : 0);
            for (int row = 0; row < count; ++row) {
                QCOMPARE(model.index(row, ClusterModel::Identity).data().toString(),
                         u"node-%1"_s.arg(row));
            }
            QCOMPARE(model.snapshot().now, now);
            previous = count;
        }
        QCOMPARE(reset.size(), 0);
    }

    // Given the same snapshot again, nothing changes; given one elector changed, only its row.
    void dataChangedOnlyForChangedRows() {
        ClusterModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        ClusterSnapshot s = snapshotOf(5);
        model.setSnapshot(s);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        s.now += 50ms; // no leases shown: the time alone changes no row
        model.setSnapshot(s);
        QCOMPARE(changed.size(), 0);

        s.electors[2].fence = 9;
        s.electors[2].state = ElectorState::Leader;
        model.setSnapshot(s);
        QCOMPARE(changedRows(changed), QList<int>{2});
        const QList<QVariant> args = changed.first();
        QCOMPARE(args.at(0).value<QModelIndex>().column(), 0);
        QCOMPARE(args.at(1).value<QModelIndex>().column(), ClusterModel::ColumnCount - 1);

        // A lease that runs down changes its row as time passes, and only its row.
        changed.clear();
        s.electors[3].leaseStart = 9s;
        s.electors[3].leaseEnd = 12s;
        model.setSnapshot(s);
        QCOMPARE(changedRows(changed), QList<int>{3});
        changed.clear();
        s.now += 100ms;
        model.setSnapshot(s);
        QCOMPARE(changedRows(changed), QList<int>{3});

        // Neighbouring changes come as one range.
        changed.clear();
        s.electors[0].storeCalls += 1;
        s.electors[1].storeCalls += 1;
        s.electors[4].note = u"slow"_s;
        model.setSnapshot(s);
        QCOMPARE(changed.size(), 2); // rows 0-1, and row 4
        QCOMPARE(changedRows(changed), (QList<int>{0, 1, 4}));
    }

    // A selection in a view survives snapshots (no reset), and goes with a removed row.
    void selectionSurvivesUpdates() {
        ClusterModel model;
        QItemSelectionModel selection(&model);
        model.setSnapshot(snapshotOf(5));
        selection.select(model.index(3, 0),
                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const QPersistentModelIndex kept(model.index(3, 0));
        ClusterSnapshot s = snapshotOf(5, 11s);
        s.electors[3].state = ElectorState::Crashed;
        model.setSnapshot(s);
        QVERIFY(kept.isValid());
        QCOMPARE(kept.row(), 3);
        QVERIFY(selection.isRowSelected(3, {}));
        model.setSnapshot(snapshotOf(3, 12s));
        QVERIFY(!kept.isValid());
    }

    void valuesOfEachColumn() {
        ClusterModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        ClusterSnapshot s = snapshotOf(2, 10s);
        ElectorView& leader = s.electors[1];
        leader.kind = ElectorKind::Thread;
        leader.state = ElectorState::Leader;
        leader.believesLeader = true;
        leader.fence = 42;
        leader.leaseStart = 9s;
        leader.leaseEnd = 13250ms;
        leader.timing = Timing{4s, 1500ms, 250ms};
        leader.pollingOnly = true;
        leader.storeCalls = 1234;
        model.setSnapshot(s);

        auto cell = [&](int column, int role = Qt::DisplayRole) {
            return model.index(1, column).data(role);
        };
        QCOMPARE(cell(ClusterModel::Identity).toString(), u"node-1"_s);
        QCOMPARE(cell(ClusterModel::Identity, ClusterModel::RawRole).toString(), u"node-1"_s);
        QCOMPARE(cell(ClusterModel::Kind).toString(), u"thread"_s);
        QCOMPARE(cell(ClusterModel::Kind, ClusterModel::RawRole).toInt(), int(ElectorKind::Thread));
        QCOMPARE(cell(ClusterModel::State).toString(), u"leader"_s);
        QCOMPARE(cell(ClusterModel::State, ClusterModel::RawRole).toInt(),
                 int(ElectorState::Leader));
        QCOMPARE(cell(ClusterModel::Fence).toString(), u"42"_s);
        QCOMPARE(cell(ClusterModel::Fence, ClusterModel::RawRole).toULongLong(), quint64(42));
        QCOMPARE(cell(ClusterModel::Lease).toString(), u"3.250"_s);
        QCOMPARE(cell(ClusterModel::Lease, ClusterModel::RawRole).toLongLong(),
                 qint64(3'250'000'000));
        QCOMPARE(cell(ClusterModel::Ttl).toString(), u"4.000"_s);
        QCOMPARE(cell(ClusterModel::Refresh).toString(), u"1.500"_s);
        QCOMPARE(cell(ClusterModel::Retry).toString(), u"0.250"_s);
        QCOMPARE(cell(ClusterModel::Retry, ClusterModel::RawRole).toLongLong(),
                 qint64(250'000'000));
        QCOMPARE(cell(ClusterModel::PollingOnly).toString(), u"polling"_s);
        QCOMPARE(cell(ClusterModel::PollingOnly, ClusterModel::RawRole).toBool(), true);
        QCOMPARE(cell(ClusterModel::StoreCalls).toString(), u"1234"_s);
        QCOMPARE(cell(ClusterModel::StoreCalls, ClusterModel::RawRole).toULongLong(),
                 quint64(1234));
        for (int column = 0; column < ClusterModel::ColumnCount; ++column)
            QCOMPARE(cell(column, ClusterModel::ElectorIdRole).toInt(), 1);
        QCOMPARE(cell(ClusterModel::Identity, Qt::DecorationRole).value<QColor>(),
                 stateColor(ElectorState::Leader, darkPaletteInUse()));
        QCOMPARE(cell(ClusterModel::State, Qt::ForegroundRole).value<QColor>(),
                 stateColor(ElectorState::Leader, darkPaletteInUse()));

        // Row 0: a follower without a lease or a fence shows blanks, not zeros.
        QCOMPARE(model.index(0, ClusterModel::Fence).data().toString(), QString());
        QCOMPARE(model.index(0, ClusterModel::Lease).data().toString(), QString());
        QCOMPARE(model.index(0, ClusterModel::PollingOnly).data().toString(), QString());

        // A lease that ran out shows zero left.
        s.now = 20s;
        model.setSnapshot(s);
        QCOMPARE(cell(ClusterModel::Lease, ClusterModel::RawRole).toLongLong(), qint64(0));

        // An elector that believes it leads while it is paused stands out.
        s.electors[1].state = ElectorState::Paused;
        model.setSnapshot(s);
        QVERIFY(cell(ClusterModel::State).toString().contains(u"believes it leads"_s));

        for (int column = 0; column < ClusterModel::ColumnCount; ++column)
            QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
    }

    void stateColoursDiffer() {
        const ElectorState states[] = {ElectorState::Follower, ElectorState::Leader,
                                       ElectorState::Paused,   ElectorState::Partitioned,
                                       ElectorState::Crashed,  ElectorState::Stopped};
        for (bool dark : {false, true}) {
            QSet<QRgb> seen;
            for (ElectorState state : states) {
                const QColor c = stateColor(state, dark);
                QVERIFY(c.isValid());
                QVERIFY(dark ? c.lightness() > 128 : c.lightness() < 128);
                seen.insert(c.rgb());
            }
            QCOMPARE(seen.size(), int(std::size(states)));
        }
    }

    void electorById() {
        ClusterModel model;
        QVERIFY(model.elector(0) == nullptr);
        model.setSnapshot(snapshotOf(3));
        QVERIFY(model.elector(2) != nullptr);
        QCOMPARE(model.elector(2)->identity, u"node-2"_s);
        QVERIFY(model.elector(3) == nullptr);
        QVERIFY(model.elector(-1) == nullptr);
        QCOMPARE(model.rowOfElector(1), 1);

        // Ids that are not indexes (a backend that removed one) are still found.
        ClusterSnapshot s = snapshotOf(3);
        s.electors.removeAt(1);
        model.setSnapshot(s);
        QCOMPARE(model.rowOfElector(2), 1);
        QCOMPARE(model.elector(2)->identity, u"node-2"_s);
        QVERIFY(model.elector(1) == nullptr);
    }
};

QTEST_MAIN(TestClusterModel)
#include "test_cluster_model.moc"
