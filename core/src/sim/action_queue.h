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

// The fields every kind may use, cheap to reset.
struct ActionHeader {
    ActionKind kind = ActionKind::Wake;
    bool answered = true;  // Arrive: false when the caller has already timed out
    bool scenario = false; // FaultStart: one of the scenario's faults (see Fault::after)
    int node = -1;
    std::uint64_t incarnation = 0;
    std::uint64_t token = 0;      // Wake, WriteTick: schedule token; FaultEnd: record index
    TimePoint sentAt;             // Arrive, Reply
    Duration inbound{};           // Arrive: how long its answer travels back
    std::uint64_t fence = 0;      // WriteArrive
    TimePoint decidedAt;          // WriteArrive
    std::unique_ptr<Fault> fault; // FaultStart, FaultEnd: only the few fault actions have one
};
static_assert(sizeof(ActionHeader) <= 64, "a follower's try reads its header in one cache line");

struct Action : ActionHeader {
    // Arrive carries a Command, Reply its CallResult (in place: a call's arrival becomes its
    // reply in the same action), FaultStart and FaultEnd a Fault. A slot's command and answer
    // are kept between its uses, so that their strings' buffers are reused: whoever schedules
    // an Arrive sets its command, and a Reply's answer is set with setAnswer().
    Command command;
    CallResult answer;

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

/// The actions to come, taken in (time, sequence) order: equal times keep the order they were
/// scheduled in, which is what makes a run replay bit for bit. A calendar orders them: a wheel
/// of buckets a quarter millisecond wide, four seconds round (a follower's retry, a call's
/// latency, a leader's refresh), each a list of the actions in it, and the bucket being taken
/// sorted. An action costs a link into its bucket, its share of sorting a bucket of a few, and a
/// take; the few beyond the wheel's reach (a fault's end, a long TTL) wait in a heap.
/// No action may be scheduled before the last one taken (the simulator never does).
/// Actions are made and handled where they lie (slots that never move), not copied in and out.
class ActionQueue {
public:
    /// A new action of `kind` at `at`, with no payload, for the caller to fill in now.
    Action& push(TimePoint at, ActionKind kind) {
        const std::uint32_t slot = newSlot();
        Action& a = action(slot);
        a.kind = kind;
        place(slot, at, kind);
        return a;
    }
    /// Puts a popped action (one not released) back at `at`, ordered as a new one would be.
    /// Its kind is read now: it must not change while the action waits.
    void repush(std::uint32_t slot, TimePoint at) { place(slot, at, action(slot).kind); }

    bool empty() const { return m_count == 0; }
    /// The earliest action's time; the queue must not be empty.
    TimePoint nextAt() const {
        if (m_taken == m_runEnd)
            settle();
        return m_run[m_taken].at;
    }

    /// Takes the earliest action off the queue and returns its slot; `at` is set to its time and
    /// `kind` to its kind (read from the queue, not from the action: a dispatch on it need not
    /// wait for the action's memory). Its action stays valid (whatever is pushed meanwhile)
    /// until release(slot) or repush(slot).
    std::uint32_t pop(TimePoint& at, ActionKind& kind) {
        if (m_taken == m_runEnd)
            settle();
        const Item top = m_run[m_taken++];
        --m_count;
        m_last = top.at;
        at = top.at;
        kind = top.kind();
        return top.slot();
    }
    Action& action(std::uint32_t slot) {
        return (*m_chunks[slot >> kChunkBits])[slot & kChunkMask];
    }
    /// Empties a popped slot for reuse (its command and answer stay, see Action).
    void release(std::uint32_t slot) {
        Action& a = action(slot);
        static_cast<ActionHeader&>(a) = ActionHeader{};
        m_freeSlots.push_back(slot);
    }

private:
    // The wheel, the run and the heap order small items that name the slot of their action: 16
    // bytes, the sequence number in the high 36 bits of `key` (68 billion actions: years of a
    // lab's run), the action's kind in the next 4 and the slot in the low 24 (16 million actions
    // queued at once), so that a key orders as its sequence number does.
    static constexpr unsigned kSlotBits = 24;
    static constexpr unsigned kKindBits = 4;
    static constexpr unsigned kSeqShift = kSlotBits + kKindBits;
    static_assert(kActionKinds <= (1U << kKindBits));
    struct Item {
        TimePoint at;
        std::uint64_t key = 0;
        std::uint32_t slot() const {
            return static_cast<std::uint32_t>(key & ((1U << kSlotBits) - 1));
        }
        ActionKind kind() const {
            return static_cast<ActionKind>((key >> kSlotBits) & ((1U << kKindBits) - 1));
        }
    };
    static_assert(sizeof(Item) == 16);
    static constexpr std::uint64_t kSeqLimit = std::uint64_t(1) << (64 - kSeqShift);
    static constexpr std::uint32_t kNil = ~std::uint32_t(0);
    static constexpr unsigned kWidthBits = 18;                  // a bucket: 2^18 ns, 262 us
    static constexpr std::size_t kWheel = std::size_t(1) << 14; // 4.3 s round
    static constexpr std::size_t kWords = kWheel / 64;
    static constexpr unsigned kChunkBits = 8;
    static constexpr std::uint32_t kChunkMask = (1U << kChunkBits) - 1;
    using Chunk = std::array<Action, std::size_t(1) << kChunkBits>;

    static bool before(const Item& a, const Item& b) {
        return a.at != b.at ? a.at < b.at : a.key < b.key;
    }
    // The bucket a time falls in, counted from the clock's beginning (times before it sort as
    // unsigned numbers do).
    static std::uint64_t bucketOf(TimePoint t) {
        return (static_cast<std::uint64_t>(t.time_since_epoch().count()) ^
                (std::uint64_t(1) << 63)) >>
               kWidthBits;
    }

    // Queues `slot` at `at`: nearly always a link into a bucket of the wheel.
    void place(std::uint32_t slot, TimePoint at, ActionKind kind) {
        if (at < m_last || m_seq == kSeqLimit) [[unlikely]]
            refuse(at);
        const Item item{at, (m_seq++ << kSeqShift) |
                                (static_cast<std::uint64_t>(kind) << kSlotBits) | slot};
        ++m_count;
        const std::uint64_t b = bucketOf(at);
        // Not after the current bucket, or beyond the wheel's reach (one unsigned compare).
        if (b - m_current - 1 >= kWheel - 1) [[unlikely]]
            return placeAside(item, b);
        const std::size_t w = b & (kWheel - 1);
        m_items[slot] = item;
        m_link[slot] = m_head[w];
        m_head[w] = slot;
        m_bits[w >> 6] |= std::uint64_t(1) << (w & 63);
        m_words[w >> 12] |= std::uint64_t(1) << (w >> 6 & 63);
    }
    [[noreturn]] [[gnu::noinline]] void refuse(TimePoint at) const {
        if (at < m_last)
            throw std::logic_error("the simulator scheduled an action before the last one taken");
        throw std::runtime_error("the simulator's queue reached its limit of 2^36 actions in one "
                                 "run: run a shorter simulation");
    }
    // An item not for the wheel: into the bucket being taken, or beyond the wheel's reach.
    [[gnu::noinline]] void placeAside(const Item& item, std::uint64_t b) {
        if (b <= m_current) {
            // The bucket being taken (or, after a look at the next action, one before it, which
            // nothing else in the queue comes before): into its sorted place, mostly the end. A
            // look far ahead (the lab's, to a fault an hour away) can leave many pushes to come
            // here before that bucket is reached: a binary search keeps each cheap.
            reserveRun(m_runEnd + 1);
            Item* const end = m_run.get() + m_runEnd++;
            if (end == m_run.get() + m_taken || !before(item, end[-1])) {
                *end = item;
                return;
            }
            Item* const at = std::upper_bound(m_run.get() + m_taken, end, item, before);
            std::copy_backward(at, end, end + 1);
            *at = item;
            return;
        }
        m_far.push_back(item);
        std::push_heap(m_far.begin(), m_far.end(), later);
    }
    static bool later(const Item& a, const Item& b) { return before(b, a); }

    // Makes the next bucket with actions the one being taken (the queue must not be empty).
    void settle() const {
        m_taken = m_runEnd = 0;
        const std::uint64_t farNext =
            m_far.empty() ? ~std::uint64_t(0) : bucketOf(m_far.front().at);
        // The wheel's first bucket with actions after the current one, if any comes before.
        const std::size_t from = (m_current + 1) & (kWheel - 1);
        const std::size_t found = firstWithActions(from);
        const std::uint64_t wheelNext =
            found == kWheel ? ~std::uint64_t(0) : m_current + 1 + ((found - from) & (kWheel - 1));
        m_current = std::min(farNext, wheelNext);
        if (wheelNext == m_current) {
            const std::uint32_t first = m_head[found];
            m_head[found] = kNil;
            m_bits[found >> 6] &= ~(std::uint64_t(1) << (found & 63));
            if (m_bits[found >> 6] == 0)
                m_words[found >> 12] &= ~(std::uint64_t(1) << (found >> 6 & 63));
            if (m_link[first] == kNil && farNext != m_current) {
                m_run[0] = m_items[first]; // alone in its bucket: nothing to sort
                m_runEnd = 1;
                return;
            }
            // Linked last first: written from the end back, they are in the order they came,
            // nearly their time order. The bucket holds at most all that is queued.
            reserveRun(m_count);
            m_taken = m_runEnd = m_count;
            for (std::uint32_t s = first; s != kNil; s = m_link[s])
                m_run[--m_taken] = m_items[s];
        }
        while (!m_far.empty() && bucketOf(m_far.front().at) == m_current) {
            std::pop_heap(m_far.begin(), m_far.end(), later);
            reserveRun(m_runEnd + 1);
            m_run[m_runEnd++] = m_far.back();
            m_far.pop_back();
        }
        Item* const begin = m_run.get() + m_taken;
        Item* const end = m_run.get() + m_runEnd;
        if (end - begin > 24) {
            std::sort(begin, end, before);
            return;
        }
        for (Item* i = begin + 1; i < end; ++i) {
            const Item item = *i;
            Item* j = i;
            for (; j > begin && before(item, j[-1]); --j)
                *j = j[-1];
            *j = item;
        }
    }
    // Makes room for `n` items in the run, keeping those in it.
    void reserveRun(std::size_t n) const {
        if (n <= m_runCapacity) [[likely]]
            return;
        const std::size_t capacity = std::max(n, 2 * m_runCapacity);
        auto grown = std::make_unique_for_overwrite<Item[]>(capacity);
        std::copy_n(m_run.get(), m_runEnd, grown.get());
        m_run = std::move(grown);
        m_runCapacity = capacity;
    }

    // The wheel's first bucket with actions from `from` round (kWheel: none): the rest of its
    // word, then the next word with any (from the summary), round to the start of its own.
    std::size_t firstWithActions(std::size_t from) const {
        const std::size_t home = from >> 6;
        if (const std::uint64_t rest = m_bits[home] >> (from & 63); rest != 0)
            return from + static_cast<std::size_t>(std::countr_zero(rest));
        for (std::size_t i = 0; i <= kSummary; ++i) {
            // Summary word (home's + i) round, past home's word in the first.
            const std::size_t sw = ((home >> 6) + i) % kSummary;
            std::uint64_t words = m_words[sw];
            if (i == 0)
                words &= (home & 63) == 63 ? 0 : ~std::uint64_t(0) << ((home & 63) + 1);
            if (words == 0)
                continue;
            const std::size_t word = sw * 64 + static_cast<std::size_t>(std::countr_zero(words));
            return word * 64 + static_cast<std::size_t>(std::countr_zero(m_bits[word]));
        }
        return kWheel;
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
        m_items.emplace_back();
        m_link.push_back(kNil);
        return m_size++;
    }

    // Settling happens in nextAt() too: it changes where actions wait, not their order.
    // The current bucket's items, sorted, from m_taken to m_runEnd.
    mutable std::size_t m_runCapacity = 64;
    mutable std::unique_ptr<Item[]> m_run = std::make_unique_for_overwrite<Item[]>(m_runCapacity);
    mutable std::size_t m_taken = 0;
    mutable std::size_t m_runEnd = 0;
    mutable std::uint64_t m_current = 0; // its bucket number
    TimePoint m_last = TimePoint::min(); // the last action taken
    mutable std::vector<std::uint32_t> m_head = std::vector<std::uint32_t>(kWheel, kNil);
    mutable std::array<std::uint64_t, kWords> m_bits{};    // bit w: wheel bucket w has actions
    static constexpr std::size_t kSummary = kWords / 64;   // words of m_words
    mutable std::array<std::uint64_t, kSummary> m_words{}; // bit i: m_bits[i] has any
    std::vector<Item> m_items;                             // per slot, while it waits in the wheel
    std::vector<std::uint32_t> m_link;                     // per slot: the next in its wheel bucket
    mutable std::vector<Item> m_far; // beyond the wheel: a heap, earliest first
    std::size_t m_count = 0;
    std::vector<std::unique_ptr<Chunk>> m_chunks; // slot s is chunk s >> kChunkBits
    std::uint32_t m_size = 0;                     // slots made so far
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_seq = 0;
};

} // namespace baton::sim_detail
