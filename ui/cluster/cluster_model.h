#pragma once
// The cluster as a table: one row per elector of the latest ClusterSnapshot, updated in place
// (rows change, appear and vanish; the model is never reset) so that selections and scroll
// positions survive the several snapshots a second the backends send.

#include "backend/lab_types.h"

#include "common/column_table_model.h"

namespace baton::lab {

/// One row per elector of the latest snapshot; the row order is the snapshot's.
class ClusterModel : public ColumnTableModel {
    Q_OBJECT
public:
    enum Column {
        Identity,
        Kind,
        State,
        Fence,
        Lease,       ///< remaining lease (leader) or time to the next try (follower), seconds
        Ttl,         ///< seconds
        Refresh,     ///< seconds
        Retry,       ///< seconds
        PollingOnly, ///< "polling" when it behaves like the seed (followers only poll)
        StoreCalls,  ///< store calls so far
        ColumnCount
    };
    enum Role {
        /// The raw value behind the text: Identity: QString; Kind, State: int of the enum;
        /// Fence, StoreCalls: quint64; Lease, Ttl, Refresh, Retry: qint64 ns; PollingOnly: bool.
        RawRole = Qt::UserRole,
        ElectorIdRole, ///< any column: the elector's id
    };

    explicit ClusterModel(QObject* parent = nullptr);

    /// Takes the new snapshot: rows that differ emit dataChanged, extra rows are inserted,
    /// missing ones removed.
    void setSnapshot(const ClusterSnapshot& snapshot);
    const ClusterSnapshot& snapshot() const { return m_snapshot; }
    /// The elector with that id in the latest snapshot, or nullptr.
    const ElectorView* elector(int id) const;
    /// Its row, or -1.
    int rowOfElector(int id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    ClusterSnapshot m_snapshot;
};

/// What is left of an elector's lease at `now` (zero when there is no arc to show or it ran out).
Duration leaseRemaining(const ElectorView& elector, LabTime now);

} // namespace baton::lab
