#include "log/event_log_model.h"

#include "style/lab_colors.h"
#include <baton/base/enum_names.h>

#include <algorithm>
#include <utility>

namespace baton::lab {

using namespace Qt::StringLiterals;

QString eventSourceName(LabEvent::Source source) {
    static constexpr EnumNames<LabEvent::Source, 4> kNames{{"elector", "fault", "store", "lab"}};
    static_assert(kNames.names.size() == std::size_t(LabEvent::Source::Lab) + 1);
    return qstr(kNames.name(source));
}

QString eventLabel(const LabEvent& event) {
    if (event.source == LabEvent::Source::Elector)
        return event.name;
    return eventSourceName(event.source) + u": " + event.name;
}

namespace {

constexpr ColumnHeader kColumns[EventLogModel::ColumnCount] = {
    {QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Time (s)"),
     QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Lab time since the run began, in seconds")},
    {QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Elector")},
    {QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Event")},
    {QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Fence"),
     QT_TRANSLATE_NOOP("baton::lab::EventLogModel",
                       "The fencing token of the term the event belongs to")},
    {QT_TRANSLATE_NOOP("baton::lab::EventLogModel", "Detail")},
};

QString detailText(const LabEvent& e) {
    QStringList parts;
    if (!e.detail.isEmpty())
        parts << e.detail;
    if (e.source == LabEvent::Source::Elector && e.deadline > LabTime::zero())
        parts << QStringLiteral("deadline %1 s").arg(formatSeconds(e.deadline));
    if (e.source == LabEvent::Source::Fault && e.until > LabTime::zero())
        parts << QStringLiteral("until %1 s").arg(formatSeconds(e.until));
    if (e.source == LabEvent::Source::Fault && e.wasLeader)
        parts << QStringLiteral("struck the leader");
    return parts.join(u"; ");
}

} // namespace

EventLogModel::EventLogModel(QObject* parent)
    : ColumnTableModel(kColumns, parent) {}

void EventLogModel::setCapacity(int capacity) {
    capacity = std::max(capacity, 1);
    if (capacity == m_capacity)
        return;
    // Re-lay the kept rows from slot 0 so that the storage invariant holds for the new capacity.
    const int drop = std::max(0, m_count - capacity);
    QVector<LabEvent> kept;
    kept.reserve(m_count - drop);
    for (int row = drop; row < m_count; ++row)
        kept.append(event(row));
    if (drop > 0)
        beginRemoveRows({}, 0, drop - 1);
    m_ring = std::move(kept);
    m_head = 0;
    m_count -= drop;
    m_capacity = capacity;
    if (drop > 0)
        endRemoveRows();
}

void EventLogModel::addEvents(const QVector<LabEvent>& events) {
    if (events.isEmpty())
        return;
    // Of a batch larger than the log, only its newest rows would survive: skip the others.
    const qsizetype skip = std::max<qsizetype>(0, events.size() - m_capacity);
    const int incoming = static_cast<int>(events.size() - skip);
    const int overflow = m_count + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        dropOldest(overflow);
        endRemoveRows();
    }
    beginInsertRows({}, m_count, m_count + incoming - 1);
    for (qsizetype i = skip; i < events.size(); ++i)
        append(events[i]);
    endInsertRows();
}

void EventLogModel::clear() {
    if (m_count == 0)
        return;
    beginRemoveRows({}, 0, m_count - 1);
    m_ring.clear();
    m_head = 0;
    m_count = 0;
    endRemoveRows();
}

QVector<LabEvent> EventLogModel::events() const {
    QVector<LabEvent> out;
    out.reserve(m_count);
    for (int row = 0; row < m_count; ++row)
        out.append(event(row));
    return out;
}

const LabEvent& EventLogModel::event(int row) const {
    Q_ASSERT(row >= 0 && row < m_count);
    return m_ring[(m_head + row) % m_ring.size()];
}

void EventLogModel::dropOldest(int count) {
    Q_ASSERT(count > 0 && count <= m_count);
    if (m_ring.size() < m_capacity)
        m_ring.resize(m_capacity); // from now on the ring wraps
    for (int i = 0; i < count; ++i) {
        m_ring[m_head] = LabEvent{}; // release its strings now, not when the slot is reused
        m_head = (m_head + 1) % m_capacity;
    }
    m_count -= count;
}

void EventLogModel::append(const LabEvent& event) {
    Q_ASSERT(m_count < m_capacity);
    if (m_ring.size() < m_capacity) {
        Q_ASSERT(m_head == 0 && m_ring.size() == m_count);
        m_ring.append(event);
    } else {
        m_ring[(m_head + m_count) % m_capacity] = event;
    }
    ++m_count;
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : m_count;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LabEvent& e = event(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return formatSeconds(e.at);
        case Elector:
            return e.identity;
        case Event:
            return eventLabel(e);
        case Fence:
            // Redis' time-based fences are long: the last digits tell terms apart, the
            // tooltip, the raw value and the exports hold all of it.
            return e.fence == 0 ? QString() : fenceLabel(e.fence).mid(1);
        case Detail:
            return detailText(e);
        }
        return {};
    case RawRole:
        switch (index.column()) {
        case Time:
            return QVariant::fromValue<qint64>(e.at.count());
        case Elector:
            return e.elector;
        case Event:
            return e.name;
        case Fence:
            return QVariant::fromValue<quint64>(e.fence);
        case Detail:
            return e.detail;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Fence && e.fence > 0)
            return QString::number(e.fence);
        if (index.column() == Detail) {
            const QString text = detailText(e);
            return text.isEmpty() ? QVariant() : QVariant(text);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Time || index.column() == Fence)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return {};
    case Qt::ForegroundRole: {
        const QColor colour = eventColor(e, darkPaletteInUse());
        return colour.isValid() ? QVariant(colour) : QVariant();
    }
    case IdentityRole:
        return e.identity;
    case NameRole:
        return e.name;
    case SourceRole:
        return eventSourceName(e.source);
    case ElectorIdRole:
        return e.elector;
    }
    return {};
}

} // namespace baton::lab
