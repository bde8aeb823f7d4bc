#pragma once
// The simulator's event queue: what happens next on virtual time (an elector's wake-up, a store
// call arriving, a reply, a fault), in time order, equal times in the order they were scheduled.

#include "baton/election/store_call.h"
#include "baton/sim/scenario.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

namespace baton::sim_detail {

enum class ActionKind : std::uint8_t {
    Boot,        // an elector's first start
    Wake,        // an elector's machine asked to be polled now
    Arrive,      // a store call reaches the store
    Reply,       // a store call's answer (or failure) reaches its elector
    Notice,      // a release notice reaches an elector
    FaultStart,  // a fault strikes
    FaultEnd,    // a fault with a duration ends
    WriteTick,   // a leader decides whether to write downstream
    WriteArrive, // a write reaches the protected resource
    Stop,        // a graceful stop that arrived during a pause
};
inline constexpr std::size_t kActionKinds = 10;
static_assert(static_cast<std::size_t>(ActionKind::Stop) + 1 == kActionKinds);

// The fields every kind may use; plain data, cheap to reset.
struct ActionHeader {
    ActionKind kind = ActionKind::Wake;
    bool answered = true; // Arrive: false when the caller has already timed out
    int node = -1;
    std::uint64_t incarnation = 0;
    std::uint64_t token = 0; // Wake, WriteTick: schedule token; FaultEnd: record index
    TimePoint sentAt;        // Arrive, Reply
    Duration inbound{};      // Arrive: how long its answer travels back
    std::uint64_t fence = 0; // WriteArrive
    TimePoint decidedAt;     // WriteArrive
};

struct Action : ActionHeader {
    // What only some kinds carry, so that the many that carry nothing (wake-ups, writes) stay
    // small to move: Arrive a Command, Reply a CallResult, FaultStart and FaultEnd a Fault.
    std::variant<std::monostate, Command, CallResult, Fault> payload;

    Command& command() { return *std::get_if<Command>(&payload); }
    CallResult& answer() { return *std::get_if<CallResult>(&payload); }
    Fault& fault() { return *std::get_if<Fault>(&payload); }
};

/// A min-heap on (time, sequence): equal times keep the order they were scheduled in, which is
/// what makes a run replay bit for bit. (time, sequence) is a total order, so any correct heap
/// pops the same sequence; this one is 4-ary, which halves the levels a pop walks down.
/// Actions are made and handled where they lie (slots that never move), not copied in and out.
/// A schedule known in advance (a scenario's faults, hundreds for a long run) waits in a sorted
/// lane beside the heap, so that it does not deepen every pop.
class ActionQueue {
public:
    /// A new action at `at`, empty (kind Wake, no payload), for the caller to fill in now.
    Action& push(TimePoint at) {
        const std::uint32_t slot = newSlot();
        const Item item{at, m_seq++, slot};
        std::size_t i = m_items.size();
        m_items.push_back(item);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!before(item, m_items[parent]))
                break;
            m_items[i] = m_items[parent];
            i = parent;
        }
        m_items[i] = item;
        return action(slot);
    }

    /// The same, in the sorted lane: `at` must be no earlier than the last action pushed there.
    /// It is ordered among all others exactly as push() would order it.
    Action& pushSorted(TimePoint at) {
        const std::uint32_t slot = newSlot();
        m_sorted.push_back(Item{at, m_seq++, slot});
        return action(slot);
    }

    bool empty() const { return m_items.empty() && m_sortedNext == m_sorted.size(); }
    /// The earliest action's time; the queue must not be empty.
    TimePoint nextAt() const {
        return fromSorted() ? m_sorted[m_sortedNext].at : m_items.front().at;
    }

    /// Takes the earliest action off the queue and returns its slot; `at` is set to its time. Its
    /// action stays valid (whatever is pushed meanwhile) until release(slot).
    std::uint32_t pop(TimePoint& at) {
        if (fromSorted()) {
            const Item next = m_sorted[m_sortedNext++];
            at = next.at;
            return next.slot;
        }
        const Item top = m_items.front();
        const Item last = m_items.back();
        m_items.pop_back();
        if (!m_items.empty())
            siftDown(last);
        at = top.at;
        return top.slot;
    }
    Action& action(std::uint32_t slot) {
        return (*m_chunks[slot >> kChunkBits])[slot & kChunkMask];
    }
    /// Empties a popped slot for reuse.
    void release(std::uint32_t slot) {
        Action& a = action(slot);
        static_cast<ActionHeader&>(a) = ActionHeader{};
        a.payload.emplace<std::monostate>();
        m_freeSlots.push_back(slot);
    }

private:
    // The heap orders small items that name the slot of their action.
    struct Item {
        TimePoint at;
        std::uint64_t seq = 0;
        std::uint32_t slot = 0;
    };
    static constexpr std::size_t kArity = 4;
    static constexpr unsigned kChunkBits = 8;
    static constexpr std::uint32_t kChunkMask = (1U << kChunkBits) - 1;
    using Chunk = std::array<Action, std::size_t(1) << kChunkBits>;

    static bool before(const Item& a, const Item& b) {
        return a.at != b.at ? a.at < b.at : a.seq < b.seq;
    }

    std::uint32_t newSlot() {
        if (!m_freeSlots.empty()) {
            const std::uint32_t slot = m_freeSlots.back();
            m_freeSlots.pop_back();
            return slot;
        }
        if ((m_size & kChunkMask) == 0)
            m_chunks.push_back(std::make_unique<Chunk>());
        return m_size++;
    }

    // Whether the sorted lane holds the earliest action.
    bool fromSorted() const {
        return m_sortedNext < m_sorted.size() &&
               (m_items.empty() || before(m_sorted[m_sortedNext], m_items.front()));
    }

    // Puts `item` where the root was, moving earlier children up.
    void siftDown(const Item& item) {
        const std::size_t n = m_items.size();
        std::size_t i = 0;
        while (true) {
            const std::size_t first = kArity * i + 1;
            if (first >= n)
                break;
            const std::size_t end = std::min(first + kArity, n);
            std::size_t best = first;
            for (std::size_t c = first + 1; c < end; ++c)
                if (before(m_items[c], m_items[best]))
                    best = c;
            if (!before(m_items[best], item))
                break;
            m_items[i] = m_items[best];
            i = best;
        }
        m_items[i] = item;
    }

    std::vector<Item> m_items;
    std::vector<Item> m_sorted; // in (time, sequence) order; the next one is m_sorted[m_sortedNext]
    std::size_t m_sortedNext = 0;
    std::vector<std::unique_ptr<Chunk>> m_chunks; // slot s is chunk s >> kChunkBits
    std::uint32_t m_size = 0;                     // slots made so far
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_seq = 0;
};

} // namespace baton::sim_detail
