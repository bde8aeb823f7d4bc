#pragma once
// The simulator's event queue: what happens next on virtual time (an elector's wake-up, a store
// call arriving, a reply, a fault), in time order, equal times in the order they were scheduled.

#include "baton/election/store_call.h"
#include "baton/sim/scenario.h"

#include <algorithm>
#include <cstdint>
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

struct Action {
    ActionKind kind = ActionKind::Wake;
    bool answered = true; // Arrive: false when the caller has already timed out
    int node = -1;
    std::uint64_t incarnation = 0;
    std::uint64_t token = 0; // Wake, WriteTick: schedule token; FaultEnd: record index
    TimePoint sentAt;        // Arrive, Reply
    Duration inbound{};      // Arrive: how long its answer travels back
    std::uint64_t fence = 0; // WriteArrive
    TimePoint decidedAt;     // WriteArrive
    // What only some kinds carry, so that the many that carry nothing (wake-ups, writes) stay
    // small to move: Arrive a Command, Reply a CallResult, FaultStart and FaultEnd a Fault.
    std::variant<std::monostate, Command, CallResult, Fault> payload;

    Command& command() { return *std::get_if<Command>(&payload); }
    CallResult& answer() { return *std::get_if<CallResult>(&payload); }
    Fault& fault() { return *std::get_if<Fault>(&payload); }
};

/// A min-heap on (time, sequence): equal times keep the order they were scheduled in, which is
/// what makes a run replay bit for bit.
class ActionQueue {
public:
    void push(TimePoint at, Action&& action) {
        std::uint32_t slot = 0;
        if (m_freeSlots.empty()) {
            slot = static_cast<std::uint32_t>(m_slots.size());
            m_slots.push_back(std::move(action));
        } else {
            slot = m_freeSlots.back();
            m_freeSlots.pop_back();
            m_slots[slot] = std::move(action);
        }
        m_items.push_back(Item{at, m_seq++, slot});
        std::push_heap(m_items.begin(), m_items.end(), Later{});
    }

    bool empty() const { return m_items.empty(); }
    /// The earliest action's time; the queue must not be empty.
    TimePoint nextAt() const { return m_items.front().at; }

    /// Takes the earliest action out; `at` is set to its time.
    Action pop(TimePoint& at) {
        std::pop_heap(m_items.begin(), m_items.end(), Later{});
        const Item item = m_items.back();
        m_items.pop_back();
        Action action = std::move(m_slots[item.slot]);
        m_freeSlots.push_back(item.slot);
        at = item.at;
        return action;
    }

private:
    // The heap orders small items; the actions they stand for stay put in a slab, so that heap
    // moves stay cheap (an Action is hundreds of bytes).
    struct Item {
        TimePoint at;
        std::uint64_t seq = 0;
        std::uint32_t slot = 0;
    };
    struct Later {
        bool operator()(const Item& a, const Item& b) const {
            return a.at != b.at ? a.at > b.at : a.seq > b.seq;
        }
    };

    std::vector<Item> m_items;
    std::vector<Action> m_slots;
    std::vector<std::uint32_t> m_freeSlots;
    std::uint64_t m_seq = 0;
};

} // namespace baton::sim_detail
