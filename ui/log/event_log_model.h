#pragma once
// The lab's event log as a table: every LabEvent a backend reported, newest last, in a ring
// buffer with a cap so that a long run keeps memory bounded (the oldest rows drop out).

#include "backend/lab_types.h"

#include "common/column_table_model.h"
#include <QVector>

namespace baton::lab {

/// "elector", "fault", "store", "lab" (as exports write the source).
QString eventSourceName(LabEvent::Source source);
/// What the log's Event column says: "elected", "fault: crash", "store: holder", "lab: error".
QString eventLabel(const LabEvent& event);

/// Table of LabEvents in a capped ring buffer (qBittorrent's LogModel, with columns).
class EventLogModel : public ColumnTableModel {
    Q_OBJECT
public:
    enum Column { Time, Elector, Event, Fence, Detail, ColumnCount };
    enum Role {
        /// The raw value behind the text: Time: qint64 ns; Elector: int id (-1: none); Event: the
        /// name; Fence: quint64; Detail: the event's detail.
        RawRole = Qt::UserRole,
        IdentityRole, ///< any column: the event's elector identity (QString, may be empty)
        NameRole,     ///< any column: the event's name ("elected", "crash", ...)
        SourceRole,   ///< any column: eventSourceName()
        ElectorIdRole ///< any column: the elector's id (-1: none)
    };
    static constexpr int kDefaultCapacity = 10'000;

    explicit EventLogModel(QObject* parent = nullptr);

    int capacity() const { return m_capacity; }
    /// At least 1; dropping the oldest rows when it shrinks below the row count.
    void setCapacity(int capacity);

    /// Appends a batch (in order); then drops the oldest rows beyond the capacity.
    void addEvents(const QVector<LabEvent>& events);
    void clear();
    /// All rows, oldest first (for exports).
    QVector<LabEvent> events() const;
    /// The event in `row`; row must be in [0, rowCount()).
    const LabEvent& event(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    void dropOldest(int count);
    void append(const LabEvent& event);

    // Row r lives at m_ring[(m_head + r) % m_ring.size()]. Storage grows by appending until the
    // first drop, then stays at m_capacity slots; m_head is 0 until then.
    QVector<LabEvent> m_ring;
    int m_head = 0;
    int m_count = 0;
    int m_capacity = kDefaultCapacity;
};

} // namespace baton::lab
