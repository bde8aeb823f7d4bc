#include "resources/resource_model.h"

#include "backend/lab_types.h"
#include "shards/shard_family.h"

#include <baton/base/text.h>

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace baton::lab {

namespace {

constexpr ColumnHeader kColumns[] = {
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Resource"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Its name (a foreign lock: its key)")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Holder"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Who holds the lock, as the store says")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Fence"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "The holder's fencing token")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "TTL"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "What is left of the lock's TTL, live")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Members"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Live presence entries (and stale ones)")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Term"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel",
                       "How long the holder has led (>=: at least, since first seen)")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Failovers"),
     QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "Holder changes seen since connecting")},
    {QT_TRANSLATE_NOOP("baton::lab::ResourceModel", "State"), nullptr},
};
static_assert(std::size(kColumns) == ResourceModel::ColumnCount);

using Key = std::pair<bool, std::string_view>;
Key keyOf(const ResourceInfo& r) {
    return {r.foreign, r.name};
}

double msOf(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// Seconds as the list shows them: "3.2 s" under a minute, then "4 min 05 s", "2 h 10 min".
QString age(Duration d) {
    const double s = std::max(0.0, msOf(d) / 1000);
    if (s < 60)
        return QStringLiteral("%1 s").arg(s, 0, 'f', 1);
    const auto whole = qint64(s);
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s")
            .arg(whole / 60)
            .arg(whole % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(whole / 3600)
        .arg(whole / 60 % 60, 2, 10, QLatin1Char('0'));
}

QString shown(const std::string& text) {
    return qstr(visible(text, 256));
}

} // namespace

QString statusName(ResourceModel::Status status) {
    switch (status) {
    case ResourceModel::Status::Led:
        return QStringLiteral("led");
    case ResourceModel::Status::Foreign:
        return QStringLiteral("foreign");
    case ResourceModel::Status::Sharded:
        return QStringLiteral("shard family");
    case ResourceModel::Status::Idle:
        return QStringLiteral("idle");
    case ResourceModel::Status::StalePresence:
        return QStringLiteral("stale presence");
    case ResourceModel::Status::Unreadable:
        return QStringLiteral("unreadable");
    case ResourceModel::Status::NoLeader:
        return QStringLiteral("no leader");
    case ResourceModel::Status::Flapping:
        return QStringLiteral("flapping");
    }
    return {};
}

ResourceModel::ResourceModel(QObject* parent)
    : ColumnTableModel(kColumns, parent) {}

void ResourceModel::setFlapping(int failovers, Duration window) {
    m_flapFailovers = std::max(1, failovers);
    m_flapWindow = std::max<Duration>(window, std::chrono::seconds(1));
    advance(m_now);
}

void ResourceModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
    updateAlerts();
}

// What a new look at one resource tells beyond itself: a holder change is a failover (not the
// first look); the term starts when the server says, or at the first look at this term.
void ResourceModel::track(Row& r, const ResourceInfo& info, TimePoint at, double serverMs) {
    const bool first = r.seenAt == TimePoint{};
    const bool changed = r.info.holder != info.holder || r.info.fence != info.fence;
    if (!first && changed && info.held()) {
        ++r.failovers;
        r.recentChanges.push_back(at);
    }
    if (info.held()) {
        r.freeSince.reset();
        if (info.termStartMs && serverMs > 0) {
            r.termSince =
                at - std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(
                         std::max(0.0, serverMs - *info.termStartMs)));
            r.termExact = true;
        } else if (first || changed || !r.termSince) {
            r.termSince = at;
            r.termExact = false;
        }
    } else {
        r.termSince.reset();
        if (!r.freeSince)
            r.freeSince = at;
    }
    r.expiresAt.reset();
    if (info.ttl) {
        r.expiresAt = at + *info.ttl;
        r.ttl = std::max(r.ttl, *info.ttl);
    }
    for (const MemberInfo& m : info.members)
        r.ttl = std::max(r.ttl, m.ttl);
    r.info = info;
    r.seenAt = at;
    r.shownStatus = status(r);
    r.shownAlert = !alertText(r).isEmpty();
}

void ResourceModel::applyPass(const DirectoryPass& pass, TimePoint at) {
    m_now = std::max(m_now, at);
    // Gone: rows whose resource the pass did not find, removed from the end in runs.
    std::vector<Key> keys;
    keys.reserve(pass.resources.size());
    for (const ResourceInfo& r : pass.resources)
        keys.push_back(keyOf(r));
    std::sort(keys.begin(), keys.end());
    const auto found = [&](const Row& row) {
        return std::binary_search(keys.begin(), keys.end(), keyOf(row.info));
    };
    for (int i = int(m_rows.size()) - 1; i >= 0;) {
        if (found(m_rows[std::size_t(i)])) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !found(m_rows[std::size_t(first - 1)]))
            --first;
        beginRemoveRows({}, first, i);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + i + 1);
        endRemoveRows();
        i = first - 1;
    }
    // Known ones in place; new ones inserted where their order puts them.
    std::vector<const ResourceInfo*> fresh;
    int changedFirst = -1, changedLast = -1;
    for (const ResourceInfo& info : pass.resources) {
        const auto it =
            std::lower_bound(m_rows.begin(), m_rows.end(), keyOf(info),
                             [](const Row& row, const Key& k) { return keyOf(row.info) < k; });
        if (it == m_rows.end() || keyOf(it->info) != keyOf(info)) {
            fresh.push_back(&info);
            continue;
        }
        track(*it, info, at, pass.atMs);
        const int i = int(it - m_rows.begin());
        changedFirst = changedFirst < 0 ? i : std::min(changedFirst, i);
        changedLast = std::max(changedLast, i);
    }
    if (changedFirst >= 0)
        Q_EMIT dataChanged(index(changedFirst, 0), index(changedLast, ColumnCount - 1));
    insertRuns(fresh, at, pass.atMs);
    updateAlerts();
}

// `fresh` in key order; consecutive ones that land at the same row go in as one run.
void ResourceModel::insertRuns(const std::vector<const ResourceInfo*>& fresh, TimePoint at,
                               double serverMs) {
    std::vector<const ResourceInfo*> sorted = fresh;
    std::sort(sorted.begin(), sorted.end(),
              [](const ResourceInfo* a, const ResourceInfo* b) { return keyOf(*a) < keyOf(*b); });
    for (std::size_t i = 0; i < sorted.size();) {
        const auto pos =
            std::lower_bound(m_rows.begin(), m_rows.end(), keyOf(*sorted[i]),
                             [](const Row& row, const Key& k) { return keyOf(row.info) < k; });
        const int row = int(pos - m_rows.begin());
        std::size_t end = i + 1;
        while (end < sorted.size() &&
               (pos == m_rows.end() || keyOf(*sorted[end]) < keyOf(pos->info)))
            ++end;
        std::vector<Row> run(end - i);
        for (std::size_t k = i; k < end; ++k)
            track(run[k - i], *sorted[k], at, serverMs);
        beginInsertRows({}, row, row + int(run.size()) - 1);
        m_rows.insert(m_rows.begin() + row, std::make_move_iterator(run.begin()),
                      std::make_move_iterator(run.end()));
        endInsertRows();
        i = end;
    }
}

void ResourceModel::advance(TimePoint now) {
    m_now = std::max(m_now, now);
    for (Row& r : m_rows)
        while (!r.recentChanges.empty() && r.recentChanges.front() < m_now - m_flapWindow)
            r.recentChanges.pop_front();
    // Rows whose state changed say so; for the countdowns, ticked() is enough: a dataChanged
    // of every row four times a second makes a sorting proxy re-sort them all (33 ms at 1,000).
    int first = -1, last = -1;
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        Row& r = m_rows[i];
        const Status s = status(r);
        const bool alert = !alertText(r).isEmpty();
        if (s == r.shownStatus && alert == r.shownAlert)
            continue;
        r.shownStatus = s;
        r.shownAlert = alert;
        first = first < 0 ? int(i) : first;
        last = int(i);
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
    Q_EMIT ticked();
    updateAlerts();
}

ResourceModel::Status ResourceModel::status(const Row& r) const {
    if (int(r.recentChanges.size()) > m_flapFailovers)
        return Status::Flapping;
    const bool live = !r.info.members.empty();
    // baton-agent --shards keeps its members on the family's name, which has no lock: the
    // shards' rows say who leads.
    const bool family = !r.info.held() && !r.info.foreign && hasShards(r.info.name);
    if (!family && !r.info.held() && live && r.freeSince && m_now - *r.freeSince > r.ttl)
        return Status::NoLeader;
    if (!r.info.error.empty())
        return Status::Unreadable;
    if (r.info.expiredMembers > 0)
        return Status::StalePresence;
    if (family)
        return Status::Sharded;
    if (!r.info.held())
        return live ? Status::NoLeader : Status::Idle;
    return r.info.foreign ? Status::Foreign : Status::Led;
}

QString ResourceModel::alertText(const Row& r) const {
    const Status s = status(r);
    if (s == Status::Flapping)
        return tr("flapping: %1 failovers in %2")
            .arg(r.recentChanges.size())
            .arg(m_flapWindow % std::chrono::minutes(1) == Duration{}
                     ? tr("%1 min").arg(
                           std::chrono::duration_cast<std::chrono::minutes>(m_flapWindow).count())
                     : qstr(formatDuration(m_flapWindow)));
    if (s == Status::NoLeader && r.freeSince && m_now - *r.freeSince > r.ttl)
        return tr("no leader for %1 (ttl %2)")
            .arg(age(m_now - *r.freeSince), qstr(formatDuration(r.ttl)));
    return {};
}

void ResourceModel::updateAlerts() {
    QStringList alerts;
    QSet<QString> red;
    std::vector<std::pair<QString, QString>> turned;
    for (const Row& r : m_rows)
        if (const QString why = alertText(r); !why.isEmpty()) {
            const QString name = shown(r.info.name);
            alerts << name + QStringLiteral(": ") + why;
            red.insert(name);
            if (!m_red.contains(name))
                turned.emplace_back(name, why);
        }
    m_red = std::move(red);
    if (alerts == m_alerts)
        return;
    m_alerts = alerts;
    Q_EMIT alertsChanged(m_alerts);
    for (const auto& [name, why] : turned)
        Q_EMIT turnedRed(name, why);
}

bool ResourceModel::hasShards(const std::string& name) const {
    const std::string prefix = name + "-";
    for (auto it = std::lower_bound(m_rows.begin(), m_rows.end(), Key{false, prefix},
                                    [](const Row&row, const Key&k) { return keyOf(row.info) < k; });
         it != m_rows.end() && !it->info.foreign && it->info.name.starts_with(prefix); ++it)
        if (const auto shard = shardOf(it->info.name); shard && shard->family == name)
            return true;
    return false;
}

const ResourceModel::Row* ResourceModel::familyOf(const Row& r) const {
    const auto shard = r.info.foreign ? std::nullopt : shardOf(r.info.name);
    const Row* family = shard ? row(indexOf(false, shard->family)) : nullptr;
    return family && !family->info.members.empty() ? family : nullptr;
}

int ResourceModel::indexOf(bool foreign, std::string_view name) const {
    const auto it =
        std::lower_bound(m_rows.begin(), m_rows.end(), Key{foreign, name},
                         [](const Row& row, const Key& k) { return keyOf(row.info) < k; });
    return it != m_rows.end() && keyOf(it->info) == Key{foreign, name} ? int(it - m_rows.begin())
                                                                       : -1;
}

const ResourceModel::Row* ResourceModel::row(int index) const {
    return index >= 0 && std::size_t(index) < m_rows.size() ? &m_rows[std::size_t(index)] : nullptr;
}

int ResourceModel::rowOf(const QString& name, bool foreign) const {
    return indexOf(foreign, name.toStdString());
}

int ResourceModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ResourceModel::data(const QModelIndex& index, int role) const {
    const Row* r = index.isValid() ? row(index.row()) : nullptr;
    if (!r)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(*r, index.column());
    case RawRole:
        return raw(*r, index.column());
    case NameRole:
        return qstr(r->info.name);
    case AlertRole:
        return !alertText(*r).isEmpty();
    case ForeignRole:
        return r->info.foreign;
    case Qt::ForegroundRole:
        return alertText(*r).isEmpty() ? QVariant() : QVariant(QBrush(QColor(0xd3, 0x2f, 0x2f)));
    case Qt::ToolTipRole:
        if (index.column() == Fence && r->info.fence)
            return tr("fence %1").arg(r->info.fence);
        if (!r->info.error.empty())
            return shown(r->info.error).toHtmlEscaped();
        if (r->info.foreign)
            return tr("%1: another library's lock (read-only)")
                .arg(shown(r->info.key))
                .toHtmlEscaped();
        if (status(*r) == Status::Sharded)
            return tr("Double-click or Enter to show the shards of %1 as a grid")
                .arg(shown(r->info.name))
                .toHtmlEscaped();
        return tr("Double-click or Enter to open %1").arg(shown(r->info.name)).toHtmlEscaped();
    case Qt::TextAlignmentRole:
        if (index.column() >= Fence && index.column() <= Failovers)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant ResourceModel::display(const Row& r, int column) const {
    switch (column) {
    case Name:
        return shown(r.info.name);
    case Holder:
        return r.info.held()                  ? shown(r.info.holder)
               : status(r) == Status::Sharded ? tr("(its shards)")
                                              : tr("(free)");
    case Fence:
        return r.info.fence ? fenceLabel(r.info.fence) : QString(); // all of it: the tooltip
    case Ttl:
        if (!r.info.held())
            return QString();
        return r.expiresAt ? age(std::max<Duration>(*r.expiresAt - m_now, Duration{}))
                           : tr("no expiry");
    case Members:
        if (r.info.foreign)
            return QString(); // another library's lock has no presence entries
        if (r.info.members.empty() && !r.info.expiredMembers)
            if (const Row* family = familyOf(r))
                // A sharded agent's entry is on the family, not on each shard.
                return tr("%1 (of %2)")
                    .arg(family->info.members.size())
                    .arg(shown(family->info.name));
        return r.info.expiredMembers
                   ? tr("%1 (+%2 stale)").arg(r.info.members.size()).arg(r.info.expiredMembers)
                   : QString::number(r.info.members.size());
    case TermAge:
        if (status(r) == Status::Sharded)
            return QString();
        if (r.freeSince)
            return tr("free for %1").arg(age(m_now - *r.freeSince));
        if (!r.termSince)
            return QString();
        return QString((r.termExact ? QString() : QStringLiteral(">= ")) +
                       age(m_now - *r.termSince));
    case Failovers:
        return r.failovers;
    case State: {
        const QString why = alertText(r);
        return why.isEmpty() ? statusName(status(r)) : why;
    }
    default:
        return {};
    }
}

QVariant ResourceModel::raw(const Row& r, int column) const {
    const auto ms = [](Duration d) { return qint64(msOf(d)); };
    switch (column) {
    case Name:
        return qstr(r.info.name);
    case Holder:
        return qstr(r.info.holder);
    case Fence:
        return quint64(r.info.fence);
    case Ttl:
        return r.info.held() && r.expiresAt ? ms(std::max<Duration>(*r.expiresAt - m_now, {}))
                                            : qint64(-1);
    case Members:
        return int(r.info.members.size());
    case TermAge:
        return r.termSince ? ms(m_now - *r.termSince) : qint64(-1);
    case Failovers:
        return r.failovers;
    case State:
        return int(status(r));
    default:
        return {};
    }
}

} // namespace baton::lab
