#pragma once
// The simulator's event queue: what happens next on virtual time (an elector's wake-up, a store
// call arriving, a reply, a fault), in time order, equal times in the order they were scheduled.

#include "baton/election/store_call.h"
#include "baton/sim/scenario.h"

#include <algorithm>
#include <array>
#include <bit>
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

// One entry of the queue: when, the order it was scheduled in, and the slot of its action.
struct QueueItem {
    TimePoint at;
    std::uint64_t seq = 0;
    std::uint32_t slot = 0;

    bool operator<(const QueueItem& o) const { return at != o.at ? at < o.at : seq < o.seq; }
};

/// A 4-ary min-heap of items (4-ary: half the levels a pop walks down of a binary one).
class QueueHeap {
public:
    bool empty() const { return m_items.empty(); }
    const QueueItem& top() const { return m_items.front(); }
    void push(const QueueItem& item) {
        std::size_t i = m_items.size();
        m_items.push_back(item);
        while (i > 0) {
            const std::size_t parent = (i - 1) / kArity;
            if (!(item < m_items[parent]))
                break;
            m_items[i] = m_items[parent];
            i = parent;
        }
        m_items[i] = item;
    }
    void pop() {
        const QueueItem last = m_items.back();
        m_items.pop_back();
        if (!m_items.empty())
            siftDown(last);
    }

private:
    static constexpr std::size_t kArity = 4;

    // Puts `item` where the root was, moving earlier children up.
    void siftDown(const QueueItem& item) {
        const std::size_t n = m_items.size();
        std::size_t i = 0;
        while (true) {
            const std::size_t first = kArity * i + 1;
            if (first >= n)
                break;
            const std::size_t end = std::min(first + kArity, n);
            std::size_t best = first;
            for (std::size_t c = first + 1; c < end; ++c)
                if (m_items[c] < m_items[best])
                    best = c;
            if (!(m_items[best] < item))
                break;
            m_items[i] = m_items[best];
            i = best;
        }
        m_items[i] = item;
    }

    std::vector<QueueItem> m_items;
};

/// A calendar of the near future: 32,768 buckets of 131 us over the next 4.3 s, each a list of
/// its items, and two levels of bits that say which are not empty. Most of a cluster's actions
/// (replies, arrivals, the next poll, a leader's refresh) fall in it, and finding the earliest
/// is a few bit scans and a look at a bucket of one or two, instead of a heap's walk. Within a
/// bucket the earliest is found by (time, sequence), so the order is exactly the heap's.
class QueueCalendar {
public:
    QueueCalendar()
        : m_head(kBuckets, kNone) {}

    bool empty() const { return m_count == 0; }
    /// Takes `item` unless it lies outside the calendar's window (then the caller queues it).
    bool push(const QueueItem& item) {
        const std::int64_t b = bucketOf(item.at);
        if (b < m_base || b >= m_base + std::int64_t(kBuckets))
            return false;
        const std::size_t i = std::size_t(b) & kMask;
        m_items[item.slot] = item;
        m_next[item.slot] = m_head[i];
        if (m_head[i] == kNone)
            mark(i);
        m_head[i] = item.slot;
        ++m_count;
        if (m_cached && item < m_items[m_cachedSlot]) {
            m_cachedBucket = i;
            m_cachedSlot = item.slot;
        }
        return true;
    }
    /// Room for the slots below `slots` (the queue makes them one by one).
    void addSlots(std::uint32_t slots) {
        m_items.resize(slots);
        m_next.resize(slots);
    }
    /// The earliest item; the calendar must not be empty.
    const QueueItem& top() {
        if (!m_cached)
            find();
        return m_items[m_cachedSlot];
    }
    /// Takes the earliest item out (top() must have been called since the last change).
    void pop() {
        const std::size_t i = m_cachedBucket;
        std::uint32_t* link = &m_head[i];
        while (*link != m_cachedSlot)
            link = &m_next[*link];
        *link = m_next[m_cachedSlot];
        if (m_head[i] == kNone)
            unmark(i);
        --m_count;
        m_cached = false;
    }
    /// Moves the window on to the time of the action just popped (every one left is later).
    void advance(TimePoint now) { m_base = std::max(m_base, bucketOf(now)); }

private:
    static constexpr unsigned kShift = 16; // 2^16 ns a bucket
    static constexpr std::size_t kBuckets = std::size_t(1) << 16;
    static constexpr std::size_t kMask = kBuckets - 1;
    static constexpr std::size_t kWords = kBuckets / 64;
    static constexpr std::uint32_t kNone = ~std::uint32_t(0);

    static std::int64_t bucketOf(TimePoint t) { return t.time_since_epoch().count() >> kShift; }

    void mark(std::size_t i) {
        m_bits[i >> 6] |= std::uint64_t(1) << (i & 63);
        m_summary[i >> 12] |= std::uint64_t(1) << ((i >> 6) & 63);
    }
    void unmark(std::size_t i) {
        m_bits[i >> 6] &= ~(std::uint64_t(1) << (i & 63));
        if (m_bits[i >> 6] == 0)
            m_summary[i >> 12] &= ~(std::uint64_t(1) << ((i >> 6) & 63));
    }

    // The first non-empty bucket at or after `i` (not wrapping round), kBuckets for none.
    std::size_t scan(std::size_t i) const {
        std::size_t word = i >> 6;
        const std::uint64_t bits = m_bits[word] & (~std::uint64_t(0) << (i & 63));
        if (bits != 0)
            return (word << 6) | std::size_t(std::countr_zero(bits));
        if (++word == kWords)
            return kBuckets;
        std::size_t s = word >> 6;
        std::uint64_t words = m_summary[s] & (~std::uint64_t(0) << (word & 63));
        while (words == 0) {
            if (++s == m_summary.size())
                return kBuckets;
            words = m_summary[s];
        }
        word = (s << 6) | std::size_t(std::countr_zero(words));
        return (word << 6) | std::size_t(std::countr_zero(m_bits[word]));
    }

    // The first non-empty bucket from the window's start (wrapping round), and its earliest item.
    void find() {
        std::size_t i = scan(std::size_t(m_base) & kMask);
        if (i == kBuckets)
            i = scan(0);
        std::uint32_t best = m_head[i];
        for (std::uint32_t k = m_next[best]; k != kNone; k = m_next[k])
            if (m_items[k] < m_items[best])
                best = k;
        m_cachedBucket = i;
        m_cachedSlot = best;
        m_cached = true;
    }

    std::vector<std::uint32_t> m_head;                  // each bucket's first slot, kNone for none
    std::vector<QueueItem> m_items;                     // by slot: the items in the calendar
    std::vector<std::uint32_t> m_next;                  // by slot: the next slot in its bucket
    std::array<std::uint64_t, kWords> m_bits{};         // bucket i not empty: bit i
    std::array<std::uint64_t, kWords / 64> m_summary{}; // word w of m_bits not zero: bit w
    std::int64_t m_base = 0;                            // the window's first bucket
    std::size_t m_count = 0;
    bool m_cached = false; // m_cachedBucket and m_cachedSlot name the earliest item
    std::size_t m_cachedBucket = 0;
    std::uint32_t m_cachedSlot = 0;
};

/// The queue on (time, sequence): equal times keep the order they were scheduled in, which is
/// what makes a run replay bit for bit. (time, sequence) is a total order, so the queue pops the
/// same sequence whichever of its three parts holds an action: the calendar of the next seconds,
/// a heap for what lies beyond, and a sorted lane for a schedule known in advance (a scenario's
/// faults, hundreds for a long run), which would otherwise deepen every pop.
/// Actions are made and handled where they lie (slots that never move), not copied in and out.
class ActionQueue {
public:
    /// A new action at `at`, empty (kind Wake, no payload), for the caller to fill in now.
    Action& push(TimePoint at) {
        const std::uint32_t slot = newSlot();
        const QueueItem item{at, m_seq++, slot};
        if (!m_near.push(item))
            m_far.push(item);
        m_nextKnown = false;
        return action(slot);
    }

    /// The same, in the sorted lane: `at` must be no earlier than the last action pushed there.
    /// It is ordered among all others exactly as push() would order it.
    Action& pushSorted(TimePoint at) {
        const std::uint32_t slot = newSlot();
        m_sorted.push_back(QueueItem{at, m_seq++, slot});
        m_nextKnown = false;
        return action(slot);
    }

    bool empty() const {
        return m_near.empty() && m_far.empty() && m_sortedNext == m_sorted.size();
    }
    /// The earliest action's time; the queue must not be empty.
    TimePoint nextAt() const { return next().at; }

    /// Takes the earliest action off the queue and returns its slot; `at` is set to its time. Its
    /// action stays valid (whatever is pushed meanwhile) until release(slot).
    std::uint32_t pop(TimePoint& at) {
        const QueueItem item = next();
        switch (m_nextFrom) {
        case From::Near:
            m_near.pop();
            break;
        case From::Far:
            m_far.pop();
            break;
        case From::Sorted:
            ++m_sortedNext;
            break;
        }
        m_nextKnown = false;
        m_near.advance(item.at);
        at = item.at;
        return item.slot;
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
    enum class From : std::uint8_t { Near, Far, Sorted };
    static constexpr unsigned kChunkBits = 8;
    static constexpr std::uint32_t kChunkMask = (1U << kChunkBits) - 1;
    using Chunk = std::array<Action, std::size_t(1) << kChunkBits>;

    std::uint32_t newSlot() {
        if (!m_freeSlots.empty()) {
            const std::uint32_t slot = m_freeSlots.back();
            m_freeSlots.pop_back();
            return slot;
        }
        if ((m_size & kChunkMask) == 0) {
            m_chunks.push_back(std::make_unique<Chunk>());
            m_near.addSlots(m_size + kChunkMask + 1);
        }
        return m_size++;
    }

    // The earliest of the three parts' earliest; the queue must not be empty.
    const QueueItem& next() const {
        if (m_nextKnown)
            return m_next;
        bool have = false;
        if (!m_near.empty()) {
            m_next = m_near.top();
            m_nextFrom = From::Near;
            have = true;
        }
        if (!m_far.empty() && (!have || m_far.top() < m_next)) {
            m_next = m_far.top();
            m_nextFrom = From::Far;
            have = true;
        }
        if (m_sortedNext < m_sorted.size() && (!have || m_sorted[m_sortedNext] < m_next)) {
            m_next = m_sorted[m_sortedNext];
            m_nextFrom = From::Sorted;
        }
        m_nextKnown = true;
        return m_next;
    }

    mutable QueueCalendar m_near; // mutable: finding its earliest item caches where it is
    QueueHeap m_far;
    std::vector<QueueItem>
        m_sorted; // in (time, sequence) order; the next is m_sorted[m_sortedNext]
    std::size_t m_sortedNext = 0;
    mutable QueueItem m_next; // when m_nextKnown: the earliest item, from m_nextFrom
    mutable From m_nextFrom = From::Near;
    mutable bool m_nextKnown = false;
    std::vector<std::unique_ptr<Chunk>> m_chunks; // slot s is chunk s >> kChunkBits
    std::uint32_t m_size = 0;                     // slots made so far
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_seq = 0;
};

} // namespace baton::sim_detail
