#include "cluster/cluster_model.h"

#include "style/lab_colors.h"

#include <algorithm>

namespace baton::lab {

namespace {

constexpr ColumnHeader kColumns[ClusterModel::ColumnCount] = {
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Elector")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Kind")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "State")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Fence")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Lease (s)"),
     QT_TRANSLATE_NOOP(
         "baton::lab::ClusterModel",
         "Leader: time to its self-fencing deadline; follower: time to its next try")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "TTL (s)"),
     QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "How long the lock lives without a refresh")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Refresh (s)"),
     QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "How often a leader extends its lease")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Retry (s)"),
     QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "A follower's longest wait between tries")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Mode"),
     QT_TRANSLATE_NOOP("baton::lab::ClusterModel",
                       "\"polling\": followers only poll, like the original Go package")},
    {QT_TRANSLATE_NOOP("baton::lab::ClusterModel", "Store calls")},
};

} // namespace

Duration leaseRemaining(const ElectorView& elector, LabTime now) {
    if (elector.leaseEnd <= elector.leaseStart || elector.leaseEnd <= now)
        return Duration::zero();
    return elector.leaseEnd - now;
}

namespace {

bool hasLease(const ElectorView& e) {
    return e.leaseEnd > e.leaseStart;
}

// Everything a row shows, so an unchanged elector emits no dataChanged. The lease column moves
// with the snapshot's time, so `now` counts while an arc is shown.
bool sameRow(const ElectorView& a, LabTime nowA, const ElectorView& b, LabTime nowB) {
    return a.id == b.id && a.identity == b.identity && a.kind == b.kind && a.state == b.state &&
           a.believesLeader == b.believesLeader && a.pollingOnly == b.pollingOnly &&
           a.controllable == b.controllable && a.fence == b.fence && hasLease(a) == hasLease(b) &&
           leaseRemaining(a, nowA) == leaseRemaining(b, nowB) && a.timing.ttl == b.timing.ttl &&
           a.timing.refreshInterval == b.timing.refreshInterval &&
           a.timing.retryInterval == b.timing.retryInterval && a.storeCalls == b.storeCalls &&
           a.note == b.note && a.seenLeader == b.seenLeader;
}

QString stateText(const ElectorView& e) {
    // An elector that believes it leads while not in the Leader state is the interesting case
    // (split brain after a pause): say so in the table too.
    if (e.believesLeader && e.state != ElectorState::Leader)
        return stateName(e.state) + u" (believes it leads)";
    return stateName(e.state);
}

QString toolTip(const ElectorView& e) {
    QStringList lines{e.identity + u" (" + kindName(e.kind) + u", " + stateText(e) + u")"};
    lines << (e.seenLeader.isEmpty() ? QStringLiteral("sees no leader")
                                     : QStringLiteral("sees %1 leading").arg(e.seenLeader));
    if (!e.controllable)
        lines << QStringLiteral("the lab cannot act on it");
    if (!e.note.isEmpty())
        lines << e.note;
    return lines.join(u'\n');
}

} // namespace

ClusterModel::ClusterModel(QObject* parent)
    : ColumnTableModel(kColumns, parent) {}

void ClusterModel::setSnapshot(const ClusterSnapshot& snapshot) {
    const int oldCount = static_cast<int>(m_snapshot.electors.size());
    const int newCount = static_cast<int>(snapshot.electors.size());

    // Remove first, insert last: in between, the model holds the rows both snapshots have.
    if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_snapshot.electors.resize(newCount);
        endRemoveRows();
    }

    const int common = std::min(oldCount, newCount);
    QVector<bool> changed(common);
    for (int row = 0; row < common; ++row)
        changed[row] = !sameRow(m_snapshot.electors[row], m_snapshot.now, snapshot.electors[row],
                                snapshot.now);
    m_snapshot = snapshot;
    if (newCount > oldCount)
        m_snapshot.electors.resize(oldCount);
    // One dataChanged per run of changed rows: views repaint a range at once.
    for (int row = 0; row < common;) {
        if (!changed[row]) {
            ++row;
            continue;
        }
        int last = row;
        while (last + 1 < common && changed[last + 1])
            ++last;
        Q_EMIT dataChanged(index(row, 0), index(last, ColumnCount - 1));
        row = last + 1;
    }

    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_snapshot.electors = snapshot.electors;
        endInsertRows();
    }
}

const ElectorView* ClusterModel::elector(int id) const {
    const int row = rowOfElector(id);
    return row < 0 ? nullptr : &m_snapshot.electors[row];
}

int ClusterModel::rowOfElector(int id) const {
    const auto& electors = m_snapshot.electors;
    // The id is meant to be the index; look further only if a backend numbers otherwise.
    if (id >= 0 && id < electors.size() && electors[id].id == id)
        return id;
    for (int row = 0; row < electors.size(); ++row) {
        if (electors[row].id == id)
            return row;
    }
    return -1;
}

int ClusterModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_snapshot.electors.size());
}

QVariant ClusterModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ElectorView& e = m_snapshot.electors[index.row()];
    const Duration lease = leaseRemaining(e, m_snapshot.now);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Identity:
            return e.identity;
        case Kind:
            return kindName(e.kind);
        case State:
            return stateText(e);
        case Fence:
            return e.fence == 0 ? QString() : QString::number(e.fence);
        case Lease:
            return hasLease(e) ? formatSeconds(lease) : QString();
        case Ttl:
            return formatSeconds(e.timing.ttl);
        case Refresh:
            return formatSeconds(e.timing.refreshInterval);
        case Retry:
            return formatSeconds(e.timing.retryInterval);
        case PollingOnly:
            return e.pollingOnly ? QStringLiteral("polling") : QString();
        case StoreCalls:
            return QString::number(e.storeCalls);
        }
        return {};
    case RawRole:
        switch (index.column()) {
        case Identity:
            return e.identity;
        case Kind:
            return static_cast<int>(e.kind);
        case State:
            return static_cast<int>(e.state);
        case Fence:
            return QVariant::fromValue<quint64>(e.fence);
        case Lease:
            return QVariant::fromValue<qint64>(lease.count());
        case Ttl:
            return QVariant::fromValue<qint64>(e.timing.ttl.count());
        case Refresh:
            return QVariant::fromValue<qint64>(e.timing.refreshInterval.count());
        case Retry:
            return QVariant::fromValue<qint64>(e.timing.retryInterval.count());
        case PollingOnly:
            return e.pollingOnly;
        case StoreCalls:
            return QVariant::fromValue<quint64>(e.storeCalls);
        }
        return {};
    case ElectorIdRole:
        return e.id;
    case Qt::DecorationRole:
        if (index.column() == Identity)
            return stateColor(e.state, darkPaletteInUse());
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State)
            return stateColor(e.state, darkPaletteInUse());
        return {};
    case Qt::ToolTipRole:
        return toolTip(e);
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case Fence:
        case Lease:
        case Ttl:
        case Refresh:
        case Retry:
        case StoreCalls:
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        default:
            return {};
        }
    }
    return {};
}

} // namespace baton::lab
