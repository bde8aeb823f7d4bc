#pragma once
// A time-ordered, capped series of intervals that answers "what overlaps [t0, t1]" by binary
// search. The timeline keeps one per lane and per kind of item, so a paint touches only what is
// visible however long the run.

#include "backend/lab_types.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <vector>

namespace baton::lab {

/// What every interval on the timeline has. An open one has no end yet (it lasts until now).
struct Span {
    LabTime begin{};
    LabTime end{};
    bool open = true;
    quint64 serial = 0; ///< given by the series; increases with begin

    /// The end, or `now` while it is open.
    LabTime endOr(LabTime now) const { return open ? std::max(now, begin) : end; }
};

/// Items of type T (derived from Span) appended in order of begin.
template <typename T>
class SpanSeries {
public:
    static constexpr LabTime openEnd = LabTime::max();

    bool isEmpty() const { return m_items.empty(); }
    qsizetype size() const { return static_cast<qsizetype>(m_items.size()); }
    const T& operator[](qsizetype i) const { return m_items[static_cast<std::size_t>(i)]; }
    const T& front() const { return m_items.front(); }
    const T& back() const { return m_items.back(); }
    T* lastItem() { return m_items.empty() ? nullptr : &m_items.back(); }

    /// Appends `item`; its begin must not be before the last item's (callers keep time order).
    /// Returns the serial it was given.
    quint64 append(T item) {
        item.serial = ++m_lastSerial;
        const LabTime reach = item.open ? openEnd : item.end;
        m_reach.push_back(m_reach.empty() ? reach : std::max(m_reach.back(), reach));
        m_items.push_back(std::move(item));
        return m_lastSerial;
    }

    /// The item with `serial`, if it is still kept.
    T* find(quint64 serial) {
        auto it = std::lower_bound(m_items.begin(), m_items.end(), serial,
                                   [](const T& a, quint64 s) { return a.serial < s; });
        return it != m_items.end() && it->serial == serial ? &*it : nullptr;
    }

    /// Ends the open item `item` (from find() or lastItem()) at `end`.
    void close(T* item, LabTime end) {
        if (!item || !item->open)
            return;
        item->open = false;
        item->end = std::max(end, item->begin);
        const std::size_t at = indexOf(item->serial);
        m_dirtyFrom = std::min(m_dirtyFrom, at);
    }

    /// Items that overlap [t0, t1] (an open one lasts until `now`), in order of begin.
    template <typename Fn>
    void forEachWithin(LabTime t0, LabTime t1, LabTime now, Fn&& fn) const {
        if (m_items.empty() || t1 < t0)
            return;
        refreshReach();
        // reach[i] (the latest end among items 0..i) never decreases, so the first item that
        // can reach t0 is found by binary search; begin is sorted, which bounds the other side.
        const auto first = std::lower_bound(m_reach.begin(), m_reach.end(), t0) - m_reach.begin();
        const auto last = std::upper_bound(m_items.begin(), m_items.end(), t1,
                                           [](LabTime t, const T& a) { return t < a.begin; }) -
                          m_items.begin();
        for (auto i = first; i < last; ++i) {
            const T& item = m_items[static_cast<std::size_t>(i)];
            if (item.endOr(now) >= t0)
                fn(item);
        }
    }

    QVector<T> within(LabTime t0, LabTime t1, LabTime now) const {
        QVector<T> out;
        forEachWithin(t0, t1, now, [&out](const T& item) { out.append(item); });
        return out;
    }

    /// Drops closed items that ended before `cutoff` from the front, then the oldest items
    /// beyond `cap`. Returns how many were dropped.
    qsizetype prune(LabTime cutoff, qsizetype cap) {
        qsizetype dropped = 0;
        while (!m_items.empty() && ((!m_items.front().open && m_items.front().end < cutoff) ||
                                    static_cast<qsizetype>(m_items.size()) > cap)) {
            popFront();
            ++dropped;
        }
        return dropped;
    }

    void clear() {
        m_items.clear();
        m_reach.clear();
        m_dirtyFrom = std::numeric_limits<std::size_t>::max();
    }

private:
    std::size_t indexOf(quint64 serial) const {
        auto it = std::lower_bound(m_items.begin(), m_items.end(), serial,
                                   [](const T& a, quint64 s) { return a.serial < s; });
        return static_cast<std::size_t>(it - m_items.begin());
    }

    void popFront() {
        m_items.pop_front();
        m_reach.pop_front(); // the rest stay upper bounds: still correct for the search
        if (m_dirtyFrom != std::numeric_limits<std::size_t>::max())
            m_dirtyFrom = m_dirtyFrom > 0 ? m_dirtyFrom - 1 : 0;
    }

    void refreshReach() const {
        if (m_dirtyFrom >= m_items.size())
            return;
        for (std::size_t i = m_dirtyFrom; i < m_items.size(); ++i) {
            const T& item = m_items[i];
            const LabTime reach = item.open ? openEnd : item.end;
            m_reach[i] = i == 0 ? reach : std::max(m_reach[i - 1], reach);
        }
        m_dirtyFrom = std::numeric_limits<std::size_t>::max();
    }

    std::deque<T> m_items;
    mutable std::deque<LabTime> m_reach;
    mutable std::size_t m_dirtyFrom = std::numeric_limits<std::size_t>::max();
    quint64 m_lastSerial = 0;
};

} // namespace baton::lab
