#include "backend/session_record.h"

namespace baton::lab {

void SessionRecord::addEvents(const QVector<LabEvent>& events) {
    if (events.isEmpty())
        return;
    m_items.emplace_back(events);
    m_events += events.size();
    trim();
}

void SessionRecord::addSnapshot(const ClusterSnapshot& snapshot) {
    if (m_anySnapshot && snapshot.now - m_lastSnapshotAt < kSnapshotEvery)
        return;
    m_anySnapshot = true;
    m_lastSnapshotAt = snapshot.now;
    m_items.emplace_back(snapshot);
    ++m_snapshots;
    trim();
}

void SessionRecord::clear() {
    m_items.clear();
    m_events = m_snapshots = 0;
    m_anySnapshot = false;
    m_lastSnapshotAt = {};
}

// The oldest go first; a batch larger than the cap is kept whole (it is the newest).
void SessionRecord::trim() {
    while (m_items.size() > 1 && (m_events > kMaxEvents || m_snapshots > kMaxSnapshots)) {
        if (const auto* e = std::get_if<QVector<LabEvent>>(&m_items.front()))
            m_events -= e->size();
        else
            --m_snapshots;
        m_items.pop_front();
    }
}

} // namespace baton::lab
