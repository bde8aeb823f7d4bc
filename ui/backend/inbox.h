#pragma once
// What store-side threads hand to the Redis backend's thread: closures it runs at its next tick.
// Only the backend runs them, on its thread, while everything they point to is alive.

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace baton::lab {

class Inbox {
public:
    using Item = std::function<void()>;
    static constexpr std::size_t kCap = 50'000;

    /// Thread-safe; drops `item` (and counts it) when kCap items wait already.
    void post(Item item) {
        std::lock_guard guard(m_mutex);
        // Bounded: a backend thread that stalls must not let memory grow without end.
        if (m_items.size() >= kCap) {
            ++m_dropped;
            return;
        }
        m_items.push_back(std::move(item));
    }
    /// Everything posted so far; `dropped`: how many were dropped since the last take.
    std::vector<Item> take(std::uint64_t& dropped) {
        std::lock_guard guard(m_mutex);
        dropped = std::exchange(m_dropped, 0);
        return std::exchange(m_items, {});
    }
    /// Drops what waits, outside the lock: a closure may hold the last reference to an
    /// Election, whose callbacks post here.
    void clear() {
        std::vector<Item> items;
        {
            std::lock_guard guard(m_mutex);
            items.swap(m_items);
        }
    }

private:
    std::mutex m_mutex;
    std::vector<Item> m_items;
    std::uint64_t m_dropped = 0;
};

} // namespace baton::lab
