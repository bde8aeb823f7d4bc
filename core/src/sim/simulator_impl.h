#pragma once
// The simulator's insides, shared by its parts: the nodes, the store, the random streams, the
// queue and the history. Each group of member functions lives in its own file (see below).

#include "action_queue.h"
#include "replicated_store.h"
#include "sim_store.h"

#include "baton/sim/random.h"
#include "baton/sim/simulator.h"
#include "baton/store/locker.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace baton {

using sim_detail::Action;
using sim_detail::ActionKind;
using sim_detail::ActionQueue;

// The simulator's clock, read at every store call: one thread moves it and nobody waits on it
// or listens to it, so it needs none of ManualClock's atomics and locks. It starts where a
// ManualClock does.
class VirtualClock final : public Clock {
public:
    TimePoint now() const override { return m_now; }
    // Returns at once: a spurious wakeup, which the contract allows (nothing waits here).
    void wait(std::condition_variable&, std::unique_lock<std::mutex>&, TimePoint) const override {}
    std::uint64_t addListener(std::function<void()>) const override;
    void removeListener(std::uint64_t) const override {}
    void advanceTo(TimePoint t) { m_now = std::max(m_now, t); }

private:
    TimePoint m_now = TimePoint{} + std::chrono::hours(1);
};

struct Simulator::Impl {
    struct Node {
        // What every action of the elector reads first, in one cache line (a run of a hundred
        // electors takes them in turn, and each finds its node and its machine in a few lines).
        bool alive = false;   // its process runs: `machine` then holds its machine
        bool unitRate = true; // its clock runs at rate 1: see toLocal()
        Fault::PartitionMode partitionMode = Fault::PartitionMode::Fail;
        int index = 0;
        int pauses = 0;
        int partitions = 0;
        std::uint64_t incarnation = 0;
        std::uint64_t wakeToken = 0;
        TimePoint wakeAt = TimePoint::max();
        Duration shift{};   // at rate 1: its clock's reading minus the virtual time
        TimePoint exactLow; // at rate 1, within 2^53 ns of info.start from here on: see exact()
        Duration latency{};
        // The rest.
        Duration extra{};
        ElectorInfo info; // after a change to its clock, call clockChanged()
        bool pollingOnly = false;
        Timing timing;
        std::uint64_t writeToken = 0;
        std::vector<Action> pending; // what arrived during a pause, in order
        std::optional<std::pair<std::uint64_t, TimePoint>> heldWrite; // fence, decided at
        std::optional<ElectionMachine> machine; // in the node: its state and the node's together

        // info.toLocal() and toVirtual() with their common case inline, a clock at rate 1 within
        // 2^53 ns of its start, where both are a plain offset (history.cpp): one of each runs at
        // nearly every event. clockChanged() sets what they read from `info`.
        TimePoint toLocal(TimePoint v) const {
            return unitRate && exact(v) ? v + shift : info.toLocal(v);
        }
        TimePoint toVirtual(TimePoint local) const {
            if (local == TimePoint::max() || local == TimePoint::min())
                return local;
            if (unitRate) {
                const TimePoint v = local - shift;
                if (exact(v))
                    return v;
            }
            return info.toVirtual(local);
        }
        void clockChanged() {
            unitRate = info.clockRate == 1.0;
            shift = info.localAtStart - info.start;
            exactLow = info.start - kExactSpan + Duration(1);
        }
        // Whether virtual time `v` is less than 2^53 ns before or after info.start.
        bool exact(TimePoint v) const {
            return static_cast<std::uint64_t>(v.time_since_epoch().count()) -
                       static_cast<std::uint64_t>(exactLow.time_since_epoch().count()) <
                   static_cast<std::uint64_t>(2 * kExactSpan.count() - 1);
        }
        static constexpr Duration kExactSpan{Duration::rep(1) << 53};

        bool paused() const { return pauses > 0; }
        bool partitioned() const { return partitions > 0; }
        bool running() const {
            return alive && machine && machine->phase() != ElectionMachine::Phase::Stopped &&
                   machine->phase() != ElectionMachine::Phase::Idle;
        }
    };

    Scenario scenario;
    VirtualClock clock;
    sim_detail::SimStore store{clock, scenario.resource};
    // Scenario::replication's store, which then takes every call instead of `store`.
    std::unique_ptr<sim_detail::ReplicatedStore> replicated;
    std::uint64_t tokensMade = 0;
    Random network;
    Random choice;
    Locker locker;
    Subscription subscription;
    ProtectedResource resource;
    std::vector<Node> nodes;
    std::unordered_map<std::string, int> byIdentity;
    ActionQueue queue;
    History history;
    TimePoint end;
    double latencySigma = 0; // Scenario::latencyP99: the log-normal's spread, 0 without a tail
    // What a timed-out call's error says, made once (every call of a partitioned elector has it).
    std::string timedOut;
    std::string timedOutPartitioned;

    explicit Impl(const Scenario& s);

    TimePoint now() const { return clock.now(); }
    // The tokens of every acquire (the locker's and the machines').
    std::string newToken();

    // The slot of the action being handled, and whether its handler put it back in the queue.
    std::uint32_t taking = 0;
    bool kept = false;
    // Whether the handler is done with its action, so that the next one scheduled can be made
    // in its slot (a follower's wake-up, call and reply then travel in one). False between
    // steps (see take()).
    bool reusable = false;
    // Where a call is made when there is no such slot.
    Command outgoing;
    // The steps taken, the instant of the last one and how many came before that instant (a
    // scenario's faults are not steps: see Fault::after), and the faults of that instant
    // waiting for their steps.
    std::uint64_t steps = 0;
    TimePoint instant = TimePoint::min();
    std::uint64_t stepsBefore = 0;
    std::vector<Fault> heldFaults;
    // A record was added since the last step's check of the history's cap (Scenario::maxRecords):
    // set by record(), the one way records are added.
    bool recorded = false;
    template <typename Records, typename Record>
    void record(Records& records, Record&& r) {
        records.push_back(std::forward<Record>(r));
        recorded = true;
    }
    int stepsAtInstant() const { return static_cast<int>(steps - stepsBefore); }
    // Strikes the held faults whose step has come, or all of them when `v` has no steps left.
    void strikeHeld(TimePoint v);
    // Puts the action being handled back in the queue at `at` (a handler's last step).
    void requeue(TimePoint at) {
        queue.repush(taking, at);
        kept = true;
    }

    // A new action at `at`, made in its place in the queue: the caller fills it in.
    Action& schedule(TimePoint at, ActionKind kind) {
        return reusable ? reuse(at, kind) : queue.push(at, kind);
    }
    // The action being handled, emptied and queued again at `at` as a new one would be. Its
    // command stays: drive() may have had the machine write the call there (see send()).
    Action& reuse(TimePoint at, ActionKind kind) {
        reusable = false;
        Action& a = queue.action(taking);
        static_cast<sim_detail::ActionHeader&>(a) = sim_detail::ActionHeader{};
        a.kind = kind;
        requeue(at);
        return a;
    }
    // The same, for `n`'s current process.
    Action& schedule(TimePoint at, ActionKind kind, const Node& n) {
        Action& a = schedule(at, kind);
        a.node = n.index;
        a.incarnation = n.incarnation;
        return a;
    }

    Action make(ActionKind kind, const Node& n) const {
        Action a;
        a.kind = kind;
        a.node = n.index;
        a.incarnation = n.incarnation;
        return a;
    }

    Duration oneWay(const Node& n) {
        if (latencySigma > 0)
            return n.extra + network.logNormal(n.latency, latencySigma);
        Duration d = n.latency + n.extra;
        if (scenario.latencyJitter > 0 && n.latency.count() > 0)
            d += Duration(static_cast<Duration::rep>(static_cast<double>(n.latency.count()) *
                                                     scenario.latencyJitter * network.unit()));
        return d;
    }

    bool believesLeader(const Node& n, TimePoint v) const {
        return n.alive && n.machine && n.machine->isLeader(n.info.toLocal(v));
    }

    // the run: setting up, the loop (simulator.cpp)
    void setup();
    // Hands `a` to the handler of its kind; each handler owns the action it is given.
    void dispatch(ActionKind kind, Action& a, TimePoint v);
    void boot(Action& a, TimePoint v);
    void wake(Action& a, TimePoint v);
    void strikeScheduled(Action& a, TimePoint v);
    void ignore(Action& a, TimePoint v);
    bool step();
    // Handles the earliest action (the queue must not be empty).
    void take();

    // electors: driving their machines, bringing them up and down (sim_electors.cpp)
    void harvest(Node& n, TimePoint v);
    void drive(Node& n, TimePoint v);
    void scheduleWake(Node& n, TimePoint v, TimePoint local);
    // Feeds `a` to `n`'s machine (its answer is moved out).
    void apply(Node& n, Action& a, TimePoint v);
    void bringUp(Node& n, TimePoint v);
    void crash(Node& n);
    void resume(Node& n, TimePoint v);

    // the network and the store: latency, partitions, timeouts (sim_network.cpp)
    // Sends `cmd` (the machine's outgoing call) on `n`'s link.
    void send(Node& n, const Command& cmd, TimePoint v);
    void arrive(Action& a, TimePoint v);
    // Makes `a`'s call of `n` on the store (not a replicated one) and sets its answer.
    void callStore(const Node& n, Action& a);
    void arriveReplicated(Action& a, TimePoint v); // sim_replication.cpp
    Store& lockStore() { return replicated ? static_cast<Store&>(*replicated) : store; }
    // The lock as the store holds it at `v` (elector -1: held by nobody we know).
    std::optional<StoreView> lockView(TimePoint v);
    // The index of the elector called `identity`, -1 for none.
    int indexOf(const std::string& identity) const;
    // The lock as a call that `n` made at `v` left it (read from its answer where that tells).
    StoreView viewAfter(const Node& n, const CallResult& answer, TimePoint v);
    // Appends `view` to the history unless the lock looks as it did last time.
    void recordStore(const StoreView& view);
    void reply(Action& a, TimePoint v);
    void notice(Action& a, TimePoint v);
    // The node `a` is for, unless the process it was meant for is gone.
    Node* addressee(const Action& a);
    // Hands `a` to `n`'s machine now, or at its resume when it is paused.
    void deliver(Node& n, Action& a, TimePoint v);

    // the fault engine (sim_faults.cpp)
    std::vector<int> targets(const FaultTarget& t, TimePoint v);
    // Ends the records of `kind` on `elector` still in force (an explicit restart, resume, heal):
    // their own scheduled end then finds them closed and does nothing.
    void closeOpen(int elector, FaultKind kind, TimePoint v);
    void faultStart(const Fault& f, TimePoint v);
    // Applies `f` to `n`; false (with a reason in `detail`) when it had nothing to act on.
    bool strike(Node& n, const Fault& f, TimePoint v, std::string& detail);
    bool strikeProcess(Node& n, const Fault& f, TimePoint v, std::string& detail); // its life
    bool strikeNetwork(Node& n, const Fault& f, TimePoint v, std::string& detail); // its link
    bool strikeClock(Node& n, const Fault& f, TimePoint v, std::string& detail);   // clock, timing
    void faultEnd(Action& a, TimePoint v);

    // the protected resource's writes (sim_writes.cpp)
    void startWriting(Node& n, TimePoint v);
    void writeTick(Action& a, TimePoint v);
    void sendWrite(Node& n, std::uint64_t fence, TimePoint decidedAt, TimePoint v);
    void writeArrive(Action& a, TimePoint v);
};

} // namespace baton
