#pragma once
// What one open resource said while it was not on screen: its events and, sampled, its
// snapshots, in order and bounded, so that showing it again rebuilds its log, timeline and
// statistics as if they had been fed all along.

#include "backend/lab_types.h"

#include <deque>
#include <variant>

namespace baton::lab {

class SessionRecord {
public:
    /// Kept events (the event log keeps no more) and snapshots (one per kSnapshotEvery of lab
    /// time: the timeline's 30 minutes).
    static constexpr qsizetype kMaxEvents = 10'000;
    static constexpr qsizetype kMaxSnapshots = 900;
    static constexpr LabTime kSnapshotEvery = std::chrono::seconds(2);

    void addEvents(const QVector<LabEvent>& events);
    /// Kept when kSnapshotEvery has passed since the last one kept.
    void addSnapshot(const ClusterSnapshot& snapshot);
    void clear();

    qsizetype events() const { return m_events; }
    qsizetype snapshots() const { return m_snapshots; }

    /// Hands every kept item to `onEvents` or `onSnapshot`, oldest first.
    template <class E, class S>
    void replay(E&& onEvents, S&& onSnapshot) const {
        for (const Item& item : m_items) {
            if (const auto* e = std::get_if<QVector<LabEvent>>(&item))
                onEvents(*e);
            else
                onSnapshot(std::get<ClusterSnapshot>(item));
        }
    }

private:
    using Item = std::variant<QVector<LabEvent>, ClusterSnapshot>;
    void trim();

    std::deque<Item> m_items;
    qsizetype m_events = 0;
    qsizetype m_snapshots = 0;
    bool m_anySnapshot = false;
    LabTime m_lastSnapshotAt{};
};

} // namespace baton::lab
