#pragma once
// Every resource on a Redis as a table (the Resources view): what each pass of the resource
// directory read, plus what only a watcher that keeps looking can tell: the remaining TTL
// counting down between passes, the term's age, failovers seen since connecting, flapping, and
// a resource left without a leader for longer than its TTL. Updated in place, never reset.

#include "common/column_table_model.h"

#include <baton/redis/resource_directory.h>

#include <QSet>

#include <deque>
#include <string_view>
#include <vector>

namespace baton::lab {

class ResourceModel : public ColumnTableModel {
    Q_OBJECT
public:
    enum Column { Name, Holder, Fence, Ttl, Members, TermAge, Failovers, State, ColumnCount };
    enum Role {
        /// The raw value behind the text, for sorting: Name, Holder: QString; Fence: quint64;
        /// Ttl, TermAge: qint64 ms (-1: none); Members, Failovers: int; State: int (Status).
        RawRole = Qt::UserRole,
        NameRole,  ///< any column: the resource's name (a foreign lock's key)
        AlertRole, ///< any column: bool, it needs attention (shown in red)
        ForeignRole,
    };
    /// Worst last: sorting by state puts what needs attention at one end.
    enum class Status : quint8 {
        Led,
        Foreign,
        Sharded, ///< no lock of its own: the presence of a family NAME-0 ... NAME-(N-1) listed
        Idle,
        StalePresence,
        Unreadable,
        NoLeader,
        Flapping
    };

    /// One resource as the model keeps it.
    struct Row {
        ResourceInfo info;
        TimePoint seenAt{};                  ///< when the pass that read it last came in
        std::optional<TimePoint> expiresAt;  ///< its lock's expiry, unless extended
        std::optional<TimePoint> termSince;  ///< when its holder's term began (or first seen)
        bool termExact = false;              ///< termSince is the term's start, not a first look
        std::optional<TimePoint> freeSince;  ///< first seen free, while it is
        std::deque<TimePoint> recentChanges; ///< holder changes within the flapping window
        int failovers = 0;                   ///< holder changes seen since connecting
        Duration ttl{}; ///< its members' TTL (the longest), or the longest PTTL seen
        Status shownStatus = Status::Led; ///< as of the last dataChanged
        bool shownAlert = false;
    };

    explicit ResourceModel(QObject* parent = nullptr);

    /// Takes a pass that came in at `at` (steady time): rows that differ emit dataChanged, new
    /// resources are inserted and vanished ones removed.
    void applyPass(const DirectoryPass& pass, TimePoint at);
    /// Time moves to `now`: rows whose state changes emit dataChanged; the TTL and term age of
    /// every row change with time alone, which ticked() announces (a view repaints; the order
    /// they sort in cannot change, since they all move at the same rate). alerts() may change.
    void advance(TimePoint now);
    /// Flapping: more than `failovers` holder changes within `window` (default 3 in 5 min).
    void setFlapping(int failovers, Duration window);
    int flapFailovers() const { return m_flapFailovers; }
    Duration flapWindow() const { return m_flapWindow; }
    /// Forgets everything (a new connection).
    void clear();

    Status status(const Row& r) const;
    /// "flapping: 4 failovers in 5 min", "no leader for 12.3 s (ttl 5 s)", or "".
    QString alertText(const Row& r) const;
    /// Whether `name` is a sharded family's: shards of it (NAME-0, NAME-1, ...) are listed.
    bool hasShards(const std::string& name) const;
    /// Every resource that needs attention, as "name: why", in row order.
    QStringList alerts() const { return m_alerts; }
    const Row* row(int index) const;
    /// The row of the shard family `r` belongs to, when that family has live members.
    const Row* familyOf(const Row& r) const;
    /// The row of `name` (a foreign lock's key when `foreign`), or -1.
    int rowOf(const QString& name, bool foreign = false) const;
    TimePoint now() const { return m_now; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// alerts() changed.
    void alertsChanged(const QStringList& alerts);
    /// Time moved on: the TTL and term age columns read differently now.
    void ticked();
    /// `name` (shown escaped) needs attention now and did not at the last look: once per
    /// turn to red (the desktop notification).
    void turnedRed(const QString& name, const QString& why);

private:
    // The row of `name` (a foreign lock or not), -1 when not listed.
    int indexOf(bool foreign, std::string_view name) const;
    void track(Row& r, const ResourceInfo& info, TimePoint at, double serverMs);
    void insertRuns(const std::vector<const ResourceInfo*>& fresh, TimePoint at, double serverMs);
    void updateAlerts();
    QVariant display(const Row& r, int column) const;
    QVariant raw(const Row& r, int column) const;

    std::vector<Row> m_rows; ///< in the pass's order: Baton's by name, then foreign by key
    QStringList m_alerts;
    QSet<QString> m_red; ///< the names behind m_alerts
    TimePoint m_now{};
    int m_flapFailovers = 3;
    Duration m_flapWindow = std::chrono::minutes(5);
};

/// "Led", "foreign", "shard family", "idle", "stale presence", "unreadable", "no leader",
/// "flapping".
QString statusName(ResourceModel::Status status);

} // namespace baton::lab
