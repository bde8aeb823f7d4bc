#pragma once
// The simulator's event queue: what happens next on virtual time (an elector's wake-up, a store
// call arriving, a reply, a fault), in time order, equal times in the order they were scheduled.

#include "baton/election/election_machine.h"
#include "baton/election/store_call.h"
#include "baton/sim/scenario.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <stdexcept>
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
    bool answered = true;  // Arrive: false when the caller has already timed out
    bool scenario = false; // FaultStart: one of the scenario's faults (see Fault::after)
    int node = -1;
    std::uint64_t incarnation = 0;
    std::uint64_t token = 0; // Wake, WriteTick: schedule token; FaultEnd: record index
    TimePoint sentAt;        // Arrive, Reply
    Duration inbound{};      // Arrive: how long its answer travels back
    std::uint64_t fence = 0; // WriteArrive
    TimePoint decidedAt;     // WriteArrive
};

struct Action : ActionHeader {
    // Arrive carries a Command, Reply its CallResult (in place: a call's arrival becomes its
    // reply in the same action), FaultStart and FaultEnd a Fault. A slot's command and answer
    // are kept between its uses, so that their strings' buffers are reused: whoever schedules
    // an Arrive sets its command, and a Reply's answer is set with setAnswer().
    Command command;
    CallResult answer;
    std::unique_ptr<Fault> fault; // only the few fault actions have one

    /// Makes the answer an empty CallResult of `call` to fill in.
    CallResult& setAnswer(Command::Kind call) {
        answer.attempt.reset();
        return answerWithAttempt(call);
    }
    /// The same, but its attempt (if any) stays, for the caller to write over whole.
    CallResult& answerWithAttempt(Command::Kind call) {
        answer.kind = call;
        answer.held = false;
        answer.error.reset();
        return answer;
    }
    CallResult& setAnswer(CallResult&& r) {
        answer = std::move(r);
        return answer;
    }
    Fault& setFault(const Fault& f) {
        fault = std::make_unique<Fault>(f);
        return *fault;
    }
};

template <std::size_t N, typename T>
constexpr std::array<T, N> filled(T value) {
    std::array<T, N> a{};
    a.fill(value);
    return a;
}

/// The actions to come, taken in (time, sequence) order: equal times keep the order they were
/// scheduled in, which is what makes a run replay bit for bit. Several sources, each sorted by
/// itself, hold them, and the earliest of their first actions goes next, so that the order is
/// exactly one heap's:
/// - lanes given to delay classes (the delay's power of two): an action joins a lane of its
///   class whose last comes no earlier, which is nearly always so (followers retry every
///   second, calls take a millisecond), and then costs an append and a take; calls whose
///   latencies cross (the followers' tries come in bursts, all woken by the same release) take
///   further lanes of their class while lanes are free;
/// - a 4-ary heap for the others (when no lane is free);
/// - a sorted lane for a schedule known in advance (a scenario's faults, hundreds for a long run).
/// A binary heap of every action walked four levels at each pop: a third of a 100-elector run.
/// Actions are made and handled where they lie (slots that never move), not copied in and out.
class ActionQueue {
public:
    /// A new action at `at`, empty (kind Wake, no payload), for the caller to fill in now.
    Action& push(TimePoint at) {
        const std::uint32_t slot = newSlot();
        place(slot, at);
        return action(slot);
    }
    /// Puts a popped action (one not released) back at `at`, ordered as a new one would be.
    void repush(std::uint32_t slot, TimePoint at) { place(slot, at); }

    /// The same, in the sorted lane: `at` must be no earlier than the last action pushed there.
    /// It is ordered among all others exactly as push() would order it.
    Action& pushSorted(TimePoint at) {
        const std::uint32_t slot = newSlot();
        m_lanes[kSorted].push(item(at, slot));
        m_head[kSorted] = m_lanes[kSorted].front();
        ++m_count;
        m_next = kUnknown;
        return action(slot);
    }

    bool empty() const { return m_count == 0; }
    /// The earliest action's time; the queue must not be empty.
    TimePoint nextAt() const { return m_head[earliest()].at; }

    /// Takes the earliest action off the queue and returns its slot; `at` is set to its time. Its
    /// action stays valid (whatever is pushed meanwhile) until release(slot) or repush(slot).
    std::uint32_t pop(TimePoint& at) {
        const std::size_t source = earliest();
        const Item top = m_head[source];
        if (source == kHeap) {
            heapPop();
            m_head[kHeap] = m_heap.empty() ? kNone : m_heap.front();
        } else {
            Lane& lane = m_lanes[source];
            lane.pop();
            if (lane.empty()) {
                m_head[source] = kNone;
                disown(source);
            } else {
                m_head[source] = lane.front();
            }
        }
        --m_count;
        m_next = kUnknown;
        m_now = top.at;
        at = top.at;
        return top.slot();
    }
    Action& action(std::uint32_t slot) {
        return (*m_chunks[slot >> kChunkBits])[slot & kChunkMask];
    }
    /// Empties a popped slot for reuse (its command and answer stay, see Action).
    void release(std::uint32_t slot) {
        Action& a = action(slot);
        static_cast<ActionHeader&>(a) = ActionHeader{};
        a.fault.reset();
        m_freeSlots.push_back(slot);
    }

private:
    // Queues `slot` at `at`.
    void place(std::uint32_t slot, TimePoint at) {
        const Item item = this->item(at, slot);
        const auto delay = static_cast<std::uint64_t>(std::max(Duration(0), at - m_now).count());
        const std::size_t source = laneFor(static_cast<std::size_t>(std::bit_width(delay)), item);
        const bool first = m_next != kUnknown && before(item, m_head[m_next]);
        if (source == kHeap) {
            heapPush(item);
            if (m_heap.front().slot() == slot)
                m_head[kHeap] = item;
        } else {
            m_lanes[source].push(item);
            if (m_lanes[source].size() == 1)
                m_head[source] = item;
        }
        ++m_count;
        if (first)
            m_next = source; // else the earliest stays where it was
    }

    // The sources order small items that name the slot of their action: 16 bytes, the
    // sequence number in the high 40 bits of `key` (a trillion actions: years of a lab's run)
    // and the slot in the low 24 (16 million actions queued at once), so that a key orders as
    // its sequence number does.
    static constexpr unsigned kSlotBits = 24;
    struct Item {
        TimePoint at;
        std::uint64_t key = 0;
        std::uint32_t slot() const {
            return static_cast<std::uint32_t>(key & ((1U << kSlotBits) - 1));
        }
    };
    static_assert(sizeof(Item) == 16);
    static constexpr std::uint64_t kSeqLimit = std::uint64_t(1) << (64 - kSlotBits);
    Item item(TimePoint at, std::uint32_t slot) {
        if (m_seq == kSeqLimit) [[unlikely]]
            throw std::runtime_error("the simulator's queue reached its limit of 2^40 actions "
                                     "in one run: run a shorter simulation");
        return Item{at, (m_seq++ << kSlotBits) | slot};
    }
    // A ring of items in (time, sequence) order.
    class Lane {
    public:
        bool empty() const { return m_size == 0; }
        std::size_t size() const { return m_size; }
        const Item& front() const { return m_ring[m_first]; }
        const Item& back() const { return m_ring[(m_first + m_size - 1) & m_mask]; }
        void push(const Item& item) {
            if (m_size == m_ring.size())
                grow();
            m_ring[(m_first + m_size++) & m_mask] = item;
        }
        void pop() {
            m_first = (m_first + 1) & m_mask;
            --m_size;
        }

    private:
        void grow() {
            std::vector<Item> bigger(std::max<std::size_t>(16, 2 * m_ring.size()));
            for (std::size_t i = 0; i < m_size; ++i)
                bigger[i] = m_ring[(m_first + i) & m_mask];
            m_ring.swap(bigger);
            m_mask = m_ring.size() - 1;
            m_first = 0;
        }
        std::vector<Item> m_ring; // its size a power of two
        std::size_t m_mask = 0;   // m_ring.size() - 1
        std::size_t m_first = 0;
        std::size_t m_size = 0;
    };

    static constexpr std::size_t kLanes = 8;            // for delay classes
    static constexpr std::size_t kSorted = kLanes;      // the schedule known in advance
    static constexpr std::size_t kHeap = kLanes + 1;    // the rest
    static constexpr std::size_t kSources = kLanes + 2; // m_lanes has a ring for kSorted too
    static constexpr std::size_t kUnknown = kSources;   // m_next: to be found
    static constexpr std::size_t kClasses = 65;         // bit widths of a 64-bit delay
    static constexpr Item kNone{TimePoint::max(), ~std::uint64_t(0)}; // an empty source's head
    static constexpr std::size_t kArity = 4;
    static constexpr unsigned kChunkBits = 8;
    static constexpr std::uint32_t kChunkMask = (1U << kChunkBits) - 1;
    using Chunk = std::array<Action, std::size_t(1) << kChunkBits>;

    static bool before(const Item& a, const Item& b) {
        return a.at != b.at ? a.at < b.at : a.key < b.key;
    }

    std::uint32_t newSlot() {
        if (!m_freeSlots.empty()) {
            const std::uint32_t slot = m_freeSlots.back();
            m_freeSlots.pop_back();
            return slot;
        }
        if (m_size == (1U << kSlotBits)) [[unlikely]]
            throw std::runtime_error("the simulator's queue holds 2^24 actions at once, its "
                                     "limit: simulate fewer electors or shorter faults");
        if ((m_size & kChunkMask) == 0)
            m_chunks.push_back(std::make_unique<Chunk>());
        return m_size++;
    }

    // The lane that `item` of delay class `c` can join in order, else kHeap: one of the class's
    // lanes whose last comes before it, else a free lane given to the class (calls whose
    // latencies cross take further lanes of their class before the heap).
    std::size_t laneFor(std::size_t c, const Item& item) {
        for (std::uint32_t mine = m_lanesOf[c]; mine != 0; mine &= mine - 1) {
            const auto lane = static_cast<std::size_t>(std::countr_zero(mine));
            if (before(m_lanes[lane].back(), item))
                return lane;
        }
        if (m_free == 0)
            return kHeap;
        const auto lane = static_cast<std::size_t>(std::countr_zero(m_free));
        m_free &= m_free - 1;
        m_lanesOf[c] |= 1U << lane;
        m_classOf[lane] = static_cast<std::uint8_t>(c);
        return lane;
    }
    // An emptied lane is free for any class.
    void disown(std::size_t lane) {
        if (lane == kSorted)
            return;
        m_lanesOf[m_classOf[lane]] &= ~(1U << lane);
        m_free |= 1U << lane;
    }

    // Where the earliest action is (the queue must not be empty).
    std::size_t earliest() const {
        if (m_next == kUnknown) {
            std::size_t best = 0;
            for (std::size_t s = 1; s < kSources; ++s)
                if (before(m_head[s], m_head[best]))
                    best = s;
            m_next = best;
        }
        return m_next;
    }

    void heapPush(const Item& item) {
        std::size_t i = m_heap.size();
        m_heap.push_back(item);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!before(item, m_heap[parent]))
                break;
            m_heap[i] = m_heap[parent];
            i = parent;
        }
        m_heap[i] = item;
    }
    // Drops the root, moving earlier children up into the place of the last item.
    void heapPop() {
        const Item item = m_heap.back();
        m_heap.pop_back();
        const std::size_t n = m_heap.size();
        if (n == 0)
            return;
        std::size_t i = 0;
        while (true) {
            const std::size_t first = kArity * i + 1;
            if (first >= n)
                break;
            const std::size_t end = std::min(first + kArity, n);
            std::size_t best = first;
            for (std::size_t c = first + 1; c < end; ++c)
                if (before(m_heap[c], m_heap[best]))
                    best = c;
            if (!before(m_heap[best], item))
                break;
            m_heap[i] = m_heap[best];
            i = best;
        }
        m_heap[i] = item;
    }

    std::array<Lane, kLanes + 1> m_lanes; // the delay classes' and, last, the sorted one
    std::vector<Item> m_heap;
    std::array<Item, kSources> m_head =
        filled<kSources>(kNone);                     // each source's earliest, kNone if empty
    mutable std::size_t m_next = kUnknown;           // the source of the earliest, if known
    std::array<std::uint16_t, kClasses> m_lanesOf{}; // bit l: lane l holds class c's actions
    std::array<std::uint8_t, kLanes> m_classOf{};
    std::uint32_t m_free = (1U << kLanes) - 1; // lanes that no class holds
    TimePoint m_now;                           // the last action's time: delays count from it
    std::size_t m_count = 0;
    std::vector<std::unique_ptr<Chunk>> m_chunks; // slot s is chunk s >> kChunkBits
    std::uint32_t m_size = 0;                     // slots made so far
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_seq = 0;
};

} // namespace baton::sim_detail
