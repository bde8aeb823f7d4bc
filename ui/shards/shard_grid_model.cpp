#include "shards/shard_grid_model.h"

#include "backend/lab_types.h"
#include "shards/shard_family.h"
#include "style/lab_colors.h"

#include <baton/base/text.h>
#include <baton/wire/member.h>

#include <QBrush>
#include <QFont>

#include <algorithm>

namespace baton::lab {

namespace {

QString shown(const std::string& text) {
    return qstr(visible(text, 256));
}

QString seconds(Duration d) {
    return QStringLiteral("%1 s").arg(std::max(0.0, toSeconds(d)), 0, 'f', 1);
}

bool sameShape(const std::vector<ShardGridModel::Member>& a,
               const std::vector<ShardGridModel::Member>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.id == y.id; });
}

// The family's live presence entries (the directory leaves out expired ones), by id.
std::vector<MemberInfo> livePresence(const ResourceModel& source, const std::string& family) {
    std::vector<MemberInfo> presence;
    for (int i = 0; i < source.rowCount() && !family.empty(); ++i)
        if (const ResourceModel::Row& r = *source.row(i);
            !r.info.foreign && r.info.name == family) {
            presence = r.info.members;
            break;
        }
    std::sort(presence.begin(), presence.end(),
              [](const MemberInfo& a, const MemberInfo& b) { return a.id < b.id; });
    return presence;
}

// The least and the most shards any of `presence` states; both 0 when none states a count.
void statedCounts(const std::vector<MemberInfo>& presence, int& least, int& most) {
    least = most = 0;
    for (const MemberInfo& m : presence)
        if (m.shardCount > 0 && m.shardCount <= wire::kMostShards) {
            const int n = int(m.shardCount);
            least = least == 0 ? n : std::min(least, n);
            most = std::max(most, n);
        }
}

} // namespace

ShardGridModel::ShardGridModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ShardGridModel::setFamily(const QString& family) {
    if (family == m_family)
        return;
    beginResetModel();
    m_family = family;
    m_shards.clear();
    m_members.clear();
    m_statedLeast = m_statedMost = 0;
    endResetModel();
}

void ShardGridModel::clear() {
    beginResetModel();
    m_shards.clear();
    m_members.clear();
    m_statedLeast = m_statedMost = 0;
    endResetModel();
}

void ShardGridModel::refresh(const ResourceModel& source, TimePoint now) {
    m_now = now;
    const std::string family = m_family.toStdString();
    const std::vector<MemberInfo> presence = livePresence(source, family);
    statedCounts(presence, m_statedLeast, m_statedMost);
    // A stated count names every shard. Without one, shards seen before stay rows: a shard
    // nobody leads has no lock key for the scan to find.
    std::vector<Shard> shards(m_statedMost > 0 ? std::size_t(m_statedMost) : m_shards.size());
    for (std::size_t i = 0; i < shards.size(); ++i)
        shards[i].index = int(i);
    for (int i = 0; i < source.rowCount() && !family.empty(); ++i) {
        const ResourceModel::Row& r = *source.row(i);
        if (r.info.foreign || r.info.name == family)
            continue;
        const auto s = shardOf(r.info.name);
        if (!s || s->family != family)
            continue;
        if (std::size_t(s->index) >= shards.size())
            for (int k = int(shards.size()); k <= s->index; ++k)
                shards.push_back(Shard{k, {}, 0, {}, {}, false});
        Shard& shard = shards[std::size_t(s->index)];
        shard.holder = r.info.holder;
        shard.fence = r.info.fence;
        shard.expiresAt = r.expiresAt;
        shard.termSince = r.termSince;
        shard.termExact = r.termExact;
    }
    // Beyond a stated count (a shrunk family) only a shard somebody still holds is a row.
    while (m_statedMost > 0 && shards.size() > std::size_t(m_statedMost) &&
           shards.back().holder.empty())
        shards.pop_back();
    std::vector<Member> members;
    for (const MemberInfo& m : presence)
        members.push_back(Member{m.id, true, 0, m});
    std::vector<Member> gone; // holders without a live presence entry (killed, not yet expired)
    for (const Shard& s : shards) {
        if (s.holder.empty())
            continue;
        auto it = std::find_if(members.begin(), members.end(),
                               [&](const Member& m) { return m.id == s.holder; });
        if (it == members.end()) {
            it = std::find_if(gone.begin(), gone.end(),
                              [&](const Member& m) { return m.id == s.holder; });
            if (it == gone.end()) {
                gone.push_back(Member{s.holder, false, 0, {}});
                it = gone.end() - 1;
            }
        }
        ++it->led;
    }
    std::sort(gone.begin(), gone.end(),
              [](const Member& a, const Member& b) { return a.id < b.id; });
    members.insert(members.end(), gone.begin(), gone.end());

    if (shards.size() != m_shards.size() || !sameShape(members, m_members)) {
        beginResetModel();
        m_shards = std::move(shards);
        m_members = std::move(members);
        endResetModel();
        return;
    }
    const bool cells = shards != m_shards, heads = members != m_members;
    m_shards = std::move(shards); // the countdowns move on in any case (tooltips read them)
    m_members = std::move(members);
    if (cells && !m_shards.empty() && !m_members.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    if (cells && !m_shards.empty())
        Q_EMIT headerDataChanged(Qt::Vertical, 0, rowCount() - 1);
    if ((heads || cells) && !m_members.empty())
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
}

int ShardGridModel::liveMembers() const {
    return int(
        std::count_if(m_members.begin(), m_members.end(), [](const Member& m) { return m.live; }));
}

int ShardGridModel::fairShare() const {
    const int live = liveMembers();
    return live > 0 ? (shardCount() + live - 1) / live : 0;
}

int ShardGridModel::unled() const {
    return int(std::count_if(m_shards.begin(), m_shards.end(),
                             [](const Shard& s) { return s.holder.empty(); }));
}

int ShardGridModel::columnOf(const QString& id) const {
    const std::string i = id.toStdString();
    for (std::size_t c = 0; c < m_members.size(); ++c)
        if (m_members[c].id == i)
            return int(c);
    return -1;
}

QString ShardGridModel::summary() const {
    if (m_family.isEmpty())
        return tr("No sharded family on this Redis (baton-agent --shards N names its shards "
                  "NAME-0 ... NAME-(N-1))");
    const QString name = shown(m_family.toStdString());
    if (m_shards.empty())
        return tr("%1: no shard listed yet").arg(name);
    const int live = liveMembers(), free = unled();
    QStringList parts{
        (shardCount() == 1 ? tr("%1: 1 shard") : tr("%1: %2 shards")).arg(name).arg(shardCount()),
        live == 1 ? tr("1 live member") : tr("%1 live members").arg(live)};
    if (live > 0)
        parts << tr("fair share %1 (ceil %2 / %3)").arg(fairShare()).arg(shardCount()).arg(live);
    if (statedCountsDisagree())
        parts
            << tr("members state %1 to %2 shards: showing %2").arg(m_statedLeast).arg(m_statedMost);
    parts << (free == 0   ? tr("every shard led")
              : free == 1 ? tr("1 shard without a leader")
                          : tr("%1 shards without a leader").arg(free));
    return parts.join(QStringLiteral(" · "));
}

int ShardGridModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_shards.size());
}

int ShardGridModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_members.size());
}

QString ShardGridModel::shardName(const Shard& s) const {
    return shown(m_family.toStdString() + "-" + std::to_string(s.index));
}

QVariant ShardGridModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const Shard& s = m_shards[std::size_t(index.row())];
    const Member& m = m_members[std::size_t(index.column())];
    const bool leads = !s.holder.empty() && s.holder == m.id;
    const bool dark = darkPaletteInUse();
    switch (role) {
    case Qt::DisplayRole:
        return leads ? fenceLabel(s.fence) : QString();
    case LeadsRole:
        return leads;
    case HolderRole:
        return qstr(s.holder);
    case UnledRole:
        return s.holder.empty();
    case Qt::BackgroundRole:
        if (leads)
            return QBrush(stateColor(m.live ? ElectorState::Leader : ElectorState::Crashed, dark));
        if (s.holder.empty()) {
            QColor red = errorColor(dark);
            red.setAlpha(60);
            return QBrush(red);
        }
        return {};
    case Qt::ForegroundRole:
        return leads ? QVariant(QBrush(dark ? QColor(Qt::black) : QColor(Qt::white))) : QVariant();
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case Qt::ToolTipRole:
        return cellToolTip(s, m);
    default:
        return {};
    }
}

QVariant ShardGridModel::cellToolTip(const Shard& s, const Member& m) const {
    const QString shard = shardName(s);
    if (s.holder.empty())
        return tr("%1 has no leader: its lock is free").arg(shard);
    if (s.holder != m.id)
        return tr("%1 is led by %2").arg(shard, shown(s.holder));
    QStringList lines{tr("%1 leads %2").arg(shown(m.id), shard),
                      tr("fence %1 (term)").arg(s.fence)};
    if (s.termSince)
        lines << tr("term %1%2")
                     .arg(s.termExact ? QString() : QStringLiteral(">= "),
                          seconds(m_now - *s.termSince));
    if (s.expiresAt)
        lines << tr("lock expires in %1 unless extended").arg(seconds(*s.expiresAt - m_now));
    if (!m.live)
        lines << tr("no live presence entry: it has died, its lock runs out");
    return lines.join(u'\n');
}

QVariant ShardGridModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (section < 0)
        return {};
    if (orientation == Qt::Horizontal)
        return section < columnCount() ? memberHeader(m_members[std::size_t(section)], role)
                                       : QVariant();
    return section < rowCount() ? shardHeader(m_shards[std::size_t(section)], role) : QVariant();
}

QVariant ShardGridModel::memberHeader(const Member& m, int role) const {
    const QString id = shown(m.id);
    switch (role) {
    case Qt::DisplayRole:
        return m.live ? tr("%1\n%2 / share %3").arg(id).arg(m.led).arg(fairShare())
                      : tr("%1 (gone)\n%2").arg(id).arg(m.led);
    case Qt::ToolTipRole: {
        if (!m.live)
            return tr("%1 holds %2 of the shards' locks but has no live presence entry: it has "
                      "died, and its locks run out")
                .arg(id)
                .arg(m.led);
        QString tip = tr("%1 leads %2 of %3 shards; fair share %4 = ceil(%3 / %5 live members)")
                          .arg(id)
                          .arg(m.led)
                          .arg(shardCount())
                          .arg(fairShare())
                          .arg(liveMembers());
        if (!m.info.host.empty())
            tip += u'\n' + tr("host %1, pid %2").arg(shown(m.info.host)).arg(m.info.pid);
        return tip;
    }
    case Qt::ForegroundRole:
        return m.live ? QVariant() : QVariant(QBrush(errorColor(darkPaletteInUse())));
    default:
        return {};
    }
}

QVariant ShardGridModel::shardHeader(const Shard& s, int role) const {
    switch (role) {
    case Qt::DisplayRole:
        return s.holder.empty() ? tr("%1 · no leader").arg(shardName(s)) : shardName(s);
    case UnledRole:
        return s.holder.empty();
    case Qt::ToolTipRole:
        return s.holder.empty() ? tr("%1 has no leader: nobody holds its lock").arg(shardName(s))
                                : tr("%1 is led by %2, fence %3")
                                      .arg(shardName(s), shown(s.holder))
                                      .arg(s.fence);
    case Qt::ForegroundRole:
        return s.holder.empty() ? QVariant(QBrush(errorColor(darkPaletteInUse()))) : QVariant();
    case Qt::FontRole:
        if (s.holder.empty()) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    default:
        return {};
    }
}

} // namespace baton::lab
