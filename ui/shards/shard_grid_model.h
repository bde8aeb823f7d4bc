#pragma once
// A sharded family as a grid (the Shards view): one row per shard, one column per member (the
// family's live presence entries, then holders without one), a filled cell where that member
// holds that shard's lock. Read from the Resources view's model, so it is as live as the scan.

#include "resources/resource_model.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace baton::lab {

class ShardGridModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        LeadsRole = Qt::UserRole, ///< a cell: bool, its member holds its shard
        HolderRole,               ///< any cell: the shard's holder (raw, "" when free)
        UnledRole,                ///< any cell or a row's header: bool, the shard has no leader
    };

    /// One shard as the last look saw it.
    struct Shard {
        int index = 0;
        std::string holder; ///< "" when free, or not listed (its lock key is gone)
        std::uint64_t fence = 0;
        std::optional<TimePoint> expiresAt, termSince;
        bool termExact = false;
        bool operator==(const Shard& o) const {
            return index == o.index && holder == o.holder && fence == o.fence;
        }
    };
    /// One column: a member of the family.
    struct Member {
        std::string id;
        bool live = false; ///< it has a live presence entry on the family
        int led = 0;       ///< shards whose lock it holds
        MemberInfo info;   ///< its presence entry (when live)
        bool operator==(const Member& o) const {
            return id == o.id && live == o.live && led == o.led;
        }
    };

    explicit ShardGridModel(QObject* parent = nullptr);

    /// Shows `family` (NAME of NAME-0 ... NAME-(N-1)); forgets what it knew of another one.
    void setFamily(const QString& family);
    QString family() const { return m_family; }
    /// Reads the family out of `source` as of `now`: changed cells emit dataChanged, a new
    /// shape (shards or members) resets the model. When a live member states the family's
    /// shard count N (MemberInfo::shardCount; the largest when they disagree), the rows are
    /// 0 ... N-1, and beyond only shards still held. Otherwise shards seen once stay as rows:
    /// a shard whose lock is gone is a row without a leader, as is any lower index not listed.
    void refresh(const ResourceModel& source, TimePoint now);
    /// Forgets everything (a new connection); the family stays chosen.
    void clear();

    int shardCount() const { return int(m_shards.size()); }
    int memberCount() const { return int(m_members.size()); }
    int liveMembers() const;
    /// ceil(shards / live members), the most a fair-share agent leads; 0 with no live member.
    int fairShare() const;
    /// Shards without a leader.
    int unled() const;
    const Shard& shard(int row) const { return m_shards.at(std::size_t(row)); }
    const Member& member(int column) const { return m_members.at(std::size_t(column)); }
    /// The shard count the live members state (the largest), 0 when none states one.
    int statedShards() const { return m_statedMost; }
    /// Live members state different shard counts (an agent restarted with another --shards).
    bool statedCountsDisagree() const { return m_statedLeast != m_statedMost; }
    /// The column of member `id`, or -1.
    int columnOf(const QString& id) const;
    /// "jobs: 6 shards · 3 live members · fair share 2 (ceil 6 / 3) · every shard led".
    QString summary() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant cellToolTip(const Shard& s, const Member& m) const;
    QVariant memberHeader(const Member& m, int role) const;
    QVariant shardHeader(const Shard& s, int role) const;
    QString shardName(const Shard& s) const;

    QString m_family;
    std::vector<Shard> m_shards;   ///< by index, 0 ... N-1 or the highest seen
    std::vector<Member> m_members; ///< live ones by id, then holders without presence by id
    TimePoint m_now{};
    int m_statedLeast = 0, m_statedMost = 0; ///< over the live members that state a count
};

} // namespace baton::lab
