#include "baton/sim/simulator.h"

#include "baton/sim/random.h"
#include "baton/store/locker.h"
#include "baton/store/memory_store.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>

namespace baton {

namespace {

using std::chrono::nanoseconds;

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

struct Action {
    ActionKind kind = ActionKind::Wake;
    int node = -1;
    std::uint64_t incarnation = 0;
    std::uint64_t token = 0; // Wake, WriteTick: schedule token; FaultEnd: record index
    Command command;         // Arrive
    bool answered = true;    // Arrive: false when the caller has already timed out
    TimePoint sentAt;        // Arrive, Reply
    Duration inbound{};      // Arrive: how long its answer travels back
    CallResult answer;       // Reply
    Fault fault;             // FaultStart, FaultEnd
    std::uint64_t fence = 0; // WriteArrive
    TimePoint decidedAt;     // WriteArrive
};

// The queue orders small items; the actions they stand for stay put in a slab, so that heap
// moves stay cheap (an Action is hundreds of bytes).
struct Item {
    TimePoint at;
    std::uint64_t seq = 0;
    std::uint32_t slot = 0;
};

// Min-heap on (time, sequence): equal times keep the order they were scheduled in, which is
// what makes a run replay bit for bit.
struct Later {
    bool operator()(const Item& a, const Item& b) const {
        return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
};

std::string hexToken(Random& random) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    token.reserve(32);
    for (int half = 0; half < 2; ++half) {
        std::uint64_t bits = random.next();
        for (int i = 0; i < 16; ++i, bits >>= 4)
            token.push_back(hex[bits & 15]);
    }
    return token;
}

} // namespace

struct Simulator::Impl {
    struct Node {
        int index = 0;
        ElectorInfo info;
        Duration latency{};
        bool pollingOnly = false;
        Timing timing;
        std::unique_ptr<ElectionMachine> machine;
        bool alive = false;
        int pauses = 0;
        int partitions = 0;
        Fault::PartitionMode partitionMode = Fault::PartitionMode::Fail;
        Duration extra{};
        std::uint64_t incarnation = 0;
        std::uint64_t wakeToken = 0;
        TimePoint wakeAt = TimePoint::max();
        std::uint64_t writeToken = 0;
        std::vector<Action> pending; // what arrived during a pause, in order
        std::optional<std::pair<std::uint64_t, TimePoint>> heldWrite; // fence, decided at

        bool paused() const { return pauses > 0; }
        bool partitioned() const { return partitions > 0; }
        bool running() const {
            return alive && machine && machine->phase() != ElectionMachine::Phase::Stopped &&
                   machine->phase() != ElectionMachine::Phase::Idle;
        }
    };

    Scenario scenario;
    ManualClock clock;
    MemoryStore store{clock};
    Random tokens;
    Random network;
    Random choice;
    Locker locker;
    Subscription subscription;
    ProtectedResource resource;
    std::vector<Node> nodes;
    std::unordered_map<std::string, int> byIdentity;
    std::vector<Item> queue;
    std::vector<Action> slots;
    std::vector<std::uint32_t> freeSlots;
    std::uint64_t seq = 0;
    History history;
    TimePoint end;

    explicit Impl(const Scenario& s)
        : scenario(s)
        , tokens(s.seed ^ 0x746f6b656e73ULL)
        , network(s.seed ^ 0x6e6574776f726bULL)
        , choice(s.seed ^ 0x63686f696365ULL)
        , locker(store, [this] { return hexToken(tokens); })
        , resource(s.fencing) {}

    TimePoint now() const { return clock.now(); }

    void push(TimePoint at, Action action) {
        std::uint32_t slot = 0;
        if (freeSlots.empty()) {
            slot = static_cast<std::uint32_t>(slots.size());
            slots.push_back(std::move(action));
        } else {
            slot = freeSlots.back();
            freeSlots.pop_back();
            slots[slot] = std::move(action);
        }
        queue.push_back(Item{at, seq++, slot});
        std::push_heap(queue.begin(), queue.end(), Later{});
    }

    Action make(ActionKind kind, const Node& n) const {
        Action a;
        a.kind = kind;
        a.node = n.index;
        a.incarnation = n.incarnation;
        return a;
    }

    Duration oneWay(const Node& n) {
        Duration d = n.latency + n.extra;
        if (scenario.latencyJitter > 0 && n.latency.count() > 0)
            d += Duration(static_cast<Duration::rep>(static_cast<double>(n.latency.count()) *
                                                     scenario.latencyJitter * network.unit()));
        return d;
    }

    void setup() {
        Random clocks(scenario.seed ^ 0x636c6f636b73ULL);
        const TimePoint start = now();
        nodes.resize(static_cast<std::size_t>(scenario.electors));
        for (int i = 0; i < scenario.electors; ++i) {
            Node& n = nodes[static_cast<std::size_t>(i)];
            n.index = i;
            n.info.identity = "node-" + std::to_string(i);
            n.info.start = start;
            // Clocks start anywhere: the machine must only ever rely on differences.
            n.info.localAtStart = TimePoint{} + std::chrono::hours(1) +
                                  clocks.between(Duration(0), std::chrono::hours(1));
            n.info.clockRate = scenario.drift > 0
                                   ? clocks.between(1.0 - scenario.drift, 1.0 + scenario.drift)
                                   : 1.0;
            n.latency = scenario.latency;
            n.pollingOnly = scenario.pollingOnly;
            n.timing = scenario.timing;
            byIdentity[n.info.identity] = i;
        }
        // The worst rates the drift allows are always in the cluster: the slowest clock is the
        // one that can outlive its lock, the fastest the one that gives up early.
        if (scenario.drift > 0 && nodes.size() >= 2) {
            const auto slow = clocks.below(nodes.size());
            auto fast = clocks.below(nodes.size() - 1);
            if (fast >= slow)
                ++fast;
            nodes[slow].info.clockRate = 1.0 - scenario.drift;
            nodes[fast].info.clockRate = 1.0 + scenario.drift;
        }
        std::vector<Duration> startAt(nodes.size(), Duration(0));
        for (const ElectorSetup& e : scenario.setups) {
            Node& n = nodes[static_cast<std::size_t>(e.index)];
            if (e.clockRate)
                n.info.clockRate = *e.clockRate;
            if (e.latency)
                n.latency = *e.latency;
            if (e.pollingOnly)
                n.pollingOnly = *e.pollingOnly;
            if (e.startAt)
                startAt[static_cast<std::size_t>(e.index)] = *e.startAt;
        }
        history.seed = scenario.seed;
        history.resource = scenario.resource;
        history.start = start;
        history.end = start;
        history.fencing = scenario.fencing;
        history.storeCalls.assign(nodes.size(), 0);
        for (const Node& n : nodes)
            history.electors.push_back(n.info);

        // Release notices become events that reach each elector after its latency; the store's
        // callback itself never touches an elector.
        subscription = store.subscribe(scenario.resource, [this](const Notice& notice) {
            if (notice.kind != Notice::Kind::Released)
                return;
            for (Node& n : nodes)
                if (n.alive && n.machine && !n.partitioned())
                    push(now() + oneWay(n), make(ActionKind::Notice, n));
        });

        for (Node& n : nodes)
            push(start + startAt[static_cast<std::size_t>(n.index)], make(ActionKind::Boot, n));
        for (const Fault& f : scenario.faults) {
            Action a;
            a.kind = ActionKind::FaultStart;
            a.fault = f;
            push(start + f.at, std::move(a));
        }
    }

    // --- electors ---

    void harvest(Node& n, TimePoint v) {
        for (Event& e : n.machine->takeEvents()) {
            const bool elected = e.type == EventType::Elected;
            history.events.push_back(ElectorEvent{v, n.index, n.incarnation, std::move(e)});
            if (elected)
                startWriting(n, v);
        }
    }

    void drive(Node& n, TimePoint v) {
        if (!n.alive || n.paused() || !n.machine)
            return;
        const TimePoint local = n.info.toLocal(v);
        std::optional<Command> cmd = n.machine->poll(local);
        harvest(n, v);
        if (cmd)
            send(n, std::move(*cmd), v);
        scheduleWake(n, v, local);
    }

    void scheduleWake(Node& n, TimePoint v, TimePoint local) {
        const TimePoint w = n.machine->wakeAt();
        if (w == TimePoint::max()) {
            ++n.wakeToken;
            n.wakeAt = TimePoint::max();
            return;
        }
        // A wake-up in the past means "now"; one nanosecond on keeps a confused machine from
        // spinning at one instant.
        const TimePoint at = w <= local ? v + nanoseconds(1) : n.info.toVirtual(w);
        if (at == n.wakeAt)
            return;
        n.wakeAt = at;
        Action a = make(ActionKind::Wake, n);
        a.token = ++n.wakeToken;
        push(at, std::move(a));
    }

    void send(Node& n, Command cmd, TimePoint v) {
        const Duration timeout = scenario.commandTimeout;
        if (n.partitioned()) {
            Action r = make(ActionKind::Reply, n);
            r.sentAt = v;
            r.answer.kind = cmd.kind;
            if (n.partitionMode == Fault::PartitionMode::Fail) {
                r.answer.error = "store unreachable (partitioned)";
                push(v + oneWay(n), std::move(r));
            } else {
                r.answer.error = "timed out after " + formatDuration(timeout) + " (partitioned)";
                push(v + timeout, std::move(r));
            }
            return;
        }
        const Duration out = oneWay(n);
        const Duration back = oneWay(n);
        Action a = make(ActionKind::Arrive, n);
        a.sentAt = v;
        a.inbound = back;
        if (out + back > timeout) {
            // The caller gives up, but the request is on the wire and the store still acts on it.
            a.answered = false;
            Action r = make(ActionKind::Reply, n);
            r.sentAt = v;
            r.answer.kind = cmd.kind;
            r.answer.error = "timed out after " + formatDuration(timeout);
            push(v + timeout, std::move(r));
        }
        a.command = std::move(cmd);
        push(v + out, std::move(a));
    }

    void arrive(Action& a, TimePoint v) {
        Node& n = nodes[static_cast<std::size_t>(a.node)];
        ++history.storeCalls[static_cast<std::size_t>(a.node)];
        CallResult answer = execute(locker, n.info.identity, a.command);
        recordStore(v);
        if (!a.answered)
            return;
        Action r;
        r.kind = ActionKind::Reply;
        r.node = a.node;
        r.incarnation = a.incarnation;
        r.sentAt = a.sentAt;
        r.answer = std::move(answer);
        push(v + a.inbound, std::move(r));
    }

    // The lock as the store holds it at `v` (elector -1: held by nobody we know).
    std::optional<StoreView> lockView(TimePoint v) {
        const auto held = store.inspect(scenario.resource);
        if (!held)
            return std::nullopt;
        const auto it = byIdentity.find(held->identity);
        return StoreView{v, it == byIdentity.end() ? -1 : it->second, held->fence,
                         v + held->remaining};
    }

    void recordStore(TimePoint v) {
        const StoreView view = lockView(v).value_or(StoreView{v, -1, 0, v});
        if (!history.store.empty()) {
            const StoreView& last = history.store.back();
            if (last.elector == view.elector && last.fence == view.fence &&
                (view.elector < 0 || last.expiresAt == view.expiresAt))
                return;
        }
        history.store.push_back(view);
    }

    void reply(Action& a, TimePoint v) {
        Node& n = nodes[static_cast<std::size_t>(a.node)];
        if (!n.alive || n.incarnation != a.incarnation || !n.machine)
            return; // the process that asked is gone
        if (n.partitioned() && !a.answer.error) {
            // The answer is lost in the partition: the caller times out instead.
            a.answer.error =
                "timed out after " + formatDuration(scenario.commandTimeout) + " (partitioned)";
            a.answer.attempt.reset();
            const TimePoint timeoutAt = a.sentAt + scenario.commandTimeout;
            if (timeoutAt > v) {
                push(timeoutAt, std::move(a));
                return;
            }
        }
        if (n.paused()) {
            n.pending.push_back(std::move(a));
            return;
        }
        apply(n, a, v);
        drive(n, v);
    }

    void apply(Node& n, const Action& a, TimePoint v) {
        const TimePoint local = n.info.toLocal(v);
        switch (a.kind) {
        case ActionKind::Reply:
            n.machine->handle(local, a.answer);
            break;
        case ActionKind::Notice:
            n.machine->handle(local, ReleaseNotice{});
            break;
        case ActionKind::Stop:
            n.machine->handle(local, StopRequest{});
            break;
        default:
            break;
        }
    }

    void notice(Action& a, TimePoint v) {
        Node& n = nodes[static_cast<std::size_t>(a.node)];
        if (!n.alive || n.incarnation != a.incarnation || !n.machine)
            return;
        if (n.paused()) {
            n.pending.push_back(std::move(a));
            return;
        }
        apply(n, a, v);
        drive(n, v);
    }

    void bringUp(Node& n, TimePoint v) {
        if (n.running())
            return;
        n.alive = true;
        ++n.incarnation;
        n.pauses = 0;
        n.pending.clear();
        n.heldWrite.reset();
        n.wakeAt = TimePoint::max();
        Config c;
        c.resource = scenario.resource;
        c.identity = n.info.identity;
        c.timing = n.timing;
        c.maxClockDrift = scenario.maxDrift;
        c.pollingOnly = n.pollingOnly;
        n.machine = std::make_unique<ElectionMachine>(c, [this] { return locker.newToken(); });
        n.machine->start(n.info.toLocal(v));
        drive(n, v);
    }

    void crash(Node& n) {
        n.alive = false;
        n.machine.reset();
        ++n.incarnation;
        ++n.wakeToken;
        ++n.writeToken;
        n.wakeAt = TimePoint::max();
        n.pauses = 0;
        n.pending.clear();
        n.heldWrite.reset();
    }

    void resume(Node& n, TimePoint v) {
        if (!n.alive || !n.machine)
            return;
        // Everything that arrived meanwhile is handled now, in order, on a clock that ran on.
        for (const Action& a : std::exchange(n.pending, {}))
            apply(n, a, v);
        n.wakeAt = TimePoint::max();
        drive(n, v);
        if (n.heldWrite) {
            // The write decided just before the pause goes out now, however stale.
            sendWrite(n, n.heldWrite->first, n.heldWrite->second, v);
            n.heldWrite.reset();
        }
        if (n.machine->isLeader(n.info.toLocal(v)))
            startWriting(n, v);
    }

    // --- the protected resource ---

    void startWriting(Node& n, TimePoint v) {
        Action a = make(ActionKind::WriteTick, n);
        a.token = ++n.writeToken;
        push(v, std::move(a));
    }

    void writeTick(const Action& a, TimePoint v) {
        Node& n = nodes[static_cast<std::size_t>(a.node)];
        if (a.token != n.writeToken || a.incarnation != n.incarnation || !n.alive || !n.machine ||
            n.paused())
            return;
        if (!n.machine->isLeader(n.info.toLocal(v)))
            return;
        sendWrite(n, n.machine->fence(), v, v);
        Action next = make(ActionKind::WriteTick, n);
        next.token = n.writeToken;
        push(v + scenario.writeInterval, std::move(next));
    }

    void sendWrite(Node& n, std::uint64_t fence, TimePoint decidedAt, TimePoint v) {
        Action a = make(ActionKind::WriteArrive, n);
        a.fence = fence;
        a.decidedAt = decidedAt;
        push(v + oneWay(n), std::move(a));
    }

    void writeArrive(const Action& a, TimePoint v) {
        const std::uint64_t newest = resource.newestFence();
        const auto result = resource.write(a.fence);
        WriteRecord w{a.decidedAt, v, a.node, a.fence, newest, WriteRecord::Outcome::Accepted};
        if (result == ProtectedResource::Result::Rejected)
            w.outcome = WriteRecord::Outcome::Rejected;
        else if (result == ProtectedResource::Result::Corrupted)
            w.outcome = WriteRecord::Outcome::Corrupted;
        history.writes.push_back(w);
    }

    // --- faults ---

    bool believesLeader(const Node& n, TimePoint v) const {
        return n.alive && n.machine && n.machine->isLeader(n.info.toLocal(v));
    }

    std::vector<int> targets(const FaultTarget& t, TimePoint v) {
        std::vector<int> out;
        switch (t.kind) {
        case FaultTarget::Kind::Elector:
            out.push_back(t.index);
            break;
        case FaultTarget::Kind::All:
            for (const Node& n : nodes)
                out.push_back(n.index);
            break;
        case FaultTarget::Kind::Leader: {
            for (const Node& n : nodes)
                if (believesLeader(n, v)) {
                    out.push_back(n.index);
                    break;
                }
            if (out.empty()) {
                // Nobody believes it leads (an election is under way): hit the lock's holder.
                if (const auto held = lockView(v); held && held->elector >= 0)
                    out.push_back(held->elector);
            }
            break;
        }
        case FaultTarget::Kind::Follower: {
            std::vector<int> followers;
            for (const Node& n : nodes)
                if (n.running() && !believesLeader(n, v))
                    followers.push_back(n.index);
            if (!followers.empty())
                out.push_back(followers[choice.below(followers.size())]);
            break;
        }
        }
        return out;
    }

    // Ends the records of `kind` on `elector` still in force (an explicit restart, resume, heal):
    // their own scheduled end then finds them closed and does nothing.
    void closeOpen(int elector, FaultKind kind, TimePoint v) {
        for (FaultRecord& r : history.faults)
            if (r.elector == elector && r.kind == kind && r.applied && r.end > v)
                r.end = v;
    }

    void faultStart(const Fault& f, TimePoint v) {
        const std::vector<int> hit = targets(f.target, v);
        if (hit.empty()) {
            history.faults.push_back(
                FaultRecord{v, v, -1, f.kind, false, false, "no target (nobody leads or follows)"});
            return;
        }
        for (int index : hit) {
            Node& n = nodes[static_cast<std::size_t>(index)];
            FaultRecord record{v, v, index, f.kind, believesLeader(n, v), true, {}};
            const bool lasting = f.kind == FaultKind::Crash || f.kind == FaultKind::Stop ||
                                 f.kind == FaultKind::Pause || f.kind == FaultKind::Partition ||
                                 f.kind == FaultKind::Latency;
            if (lasting)
                record.end = f.duration.count() > 0 ? v + f.duration : TimePoint::max();
            const bool took = strike(n, f, v, record.detail);
            if (!took) {
                record.end = v;
                record.applied = false;
            }
            history.faults.push_back(record);
            if (took && lasting && f.duration.count() > 0) {
                Action a;
                a.kind = ActionKind::FaultEnd;
                a.node = index;
                a.fault = f;
                a.token = history.faults.size() - 1;
                push(v + f.duration, std::move(a));
            }
        }
    }

    // Applies `f` to `n`; false (with a reason in `detail`) when it had nothing to act on.
    bool strike(Node& n, const Fault& f, TimePoint v, std::string& detail) {
        const TimePoint local = n.info.toLocal(v);
        switch (f.kind) {
        case FaultKind::Crash:
            if (!n.alive) {
                detail = "already down";
                return false;
            }
            crash(n);
            return true;
        case FaultKind::Restart:
        case FaultKind::Start:
            closeOpen(n.index, FaultKind::Crash, v);
            closeOpen(n.index, FaultKind::Stop, v);
            if (n.running()) {
                detail = "already running";
                return false;
            }
            bringUp(n, v);
            return true;
        case FaultKind::Stop:
            if (!n.running()) {
                detail = "not running";
                return false;
            }
            if (n.paused()) {
                n.pending.push_back(make(ActionKind::Stop, n));
                detail = "takes effect at resume";
                return true;
            }
            n.machine->handle(local, StopRequest{});
            drive(n, v);
            return true;
        case FaultKind::Pause:
            if (!n.alive) {
                detail = "not alive";
                return false;
            }
            if (!n.paused() && believesLeader(n, v)) {
                // The pause strikes right after the leader checked isLeader() for a write.
                n.heldWrite = std::make_pair(n.machine->fence(), v);
            }
            ++n.pauses;
            return true;
        case FaultKind::Resume:
            closeOpen(n.index, FaultKind::Pause, v);
            if (!n.paused()) {
                detail = "not paused";
                return false;
            }
            n.pauses = 0;
            resume(n, v);
            return true;
        case FaultKind::Partition:
            ++n.partitions;
            n.partitionMode = f.mode;
            detail = f.mode == Fault::PartitionMode::Hang ? "hang" : "fail";
            return true;
        case FaultKind::Heal:
            closeOpen(n.index, FaultKind::Partition, v);
            n.partitions = 0;
            return true;
        case FaultKind::Latency:
            n.extra += f.extra;
            detail = "+" + formatDuration(f.extra);
            return true;
        case FaultKind::Drift: {
            if (!(f.rate > 0.5 && f.rate < 2.0)) {
                detail = "rejected: a clock rate must be in (0.5, 2)";
                return false;
            }
            // Re-anchored at this instant, so the clock changes pace without jumping.
            n.info.localAtStart = local;
            n.info.start = v;
            n.info.clockRate = f.rate;
            char text[32];
            std::snprintf(text, sizeof text, "clock rate %.4g", f.rate);
            detail = text;
            if (n.alive && !n.paused() && n.machine)
                scheduleWake(n, v, local);
            return true;
        }
        case FaultKind::Timing: {
            Timing t = n.timing;
            if (f.ttl)
                t.ttl = *f.ttl;
            if (f.refresh)
                t.refreshInterval = *f.refresh;
            if (f.retry)
                t.retryInterval = *f.retry;
            try {
                validate(t);
            } catch (const ConfigError& e) {
                detail = std::string("rejected: ") + e.what();
                return false;
            }
            n.timing = t;
            detail = "ttl " + formatDuration(t.ttl) + " refresh " +
                     formatDuration(t.refreshInterval) + " retry " +
                     formatDuration(t.retryInterval);
            if (n.machine) {
                n.machine->setTiming(t);
                drive(n, v);
            }
            return true;
        }
        }
        return false;
    }

    void faultEnd(const Action& a, TimePoint v) {
        FaultRecord& record = history.faults[a.token];
        if (record.end != v)
            return; // already ended by an explicit fault, or a crash cut it short
        Node& n = nodes[static_cast<std::size_t>(a.node)];
        switch (a.fault.kind) {
        case FaultKind::Crash:
        case FaultKind::Stop:
            bringUp(n, v);
            break;
        case FaultKind::Pause:
            if (n.pauses > 0 && --n.pauses == 0)
                resume(n, v);
            break;
        case FaultKind::Partition:
            if (n.partitions > 0)
                --n.partitions;
            break;
        case FaultKind::Latency:
            n.extra = std::max(Duration(0), n.extra - a.fault.extra);
            break;
        default:
            break;
        }
    }

    // --- the loop ---

    void dispatch(Action& a, TimePoint v) {
        switch (a.kind) {
        case ActionKind::Boot:
            bringUp(nodes[static_cast<std::size_t>(a.node)], v);
            break;
        case ActionKind::Wake: {
            Node& n = nodes[static_cast<std::size_t>(a.node)];
            if (a.token != n.wakeToken || a.incarnation != n.incarnation)
                break;
            n.wakeAt = TimePoint::max();
            drive(n, v);
            break;
        }
        case ActionKind::Arrive:
            arrive(a, v);
            break;
        case ActionKind::Reply:
            reply(a, v);
            break;
        case ActionKind::Notice:
            notice(a, v);
            break;
        case ActionKind::FaultStart:
            faultStart(a.fault, v);
            break;
        case ActionKind::FaultEnd:
            faultEnd(a, v);
            break;
        case ActionKind::WriteTick:
            writeTick(a, v);
            break;
        case ActionKind::WriteArrive:
            writeArrive(a, v);
            break;
        case ActionKind::Stop:
            break;
        }
    }

    bool step() {
        if (queue.empty() || queue.front().at > end)
            return false;
        std::pop_heap(queue.begin(), queue.end(), Later{});
        const Item item = queue.back();
        queue.pop_back();
        Action action = std::move(slots[item.slot]);
        freeSlots.push_back(item.slot);
        clock.advanceTo(item.at);
        history.end = item.at;
        dispatch(action, item.at);
        return true;
    }
};

Simulator::Simulator(const Scenario& scenario) {
    validate(scenario);
    m_impl = std::make_unique<Impl>(scenario);
    m_start = m_impl->now();
    m_end = m_start + scenario.duration;
    m_impl->end = m_end;
    m_impl->setup();
}

Simulator::~Simulator() = default;

bool Simulator::step() {
    return m_impl->step();
}

void Simulator::runUntil(TimePoint t) {
    t = std::min(t, m_end);
    while (!m_impl->queue.empty() && m_impl->queue.front().at <= t)
        m_impl->step();
    if (t > m_impl->now()) {
        m_impl->clock.advanceTo(t);
        m_impl->history.end = t;
    }
}

TimePoint Simulator::now() const {
    return m_impl->now();
}

std::optional<TimePoint> Simulator::nextEventTime() const {
    if (m_impl->queue.empty() || m_impl->queue.front().at > m_end)
        return std::nullopt;
    return m_impl->queue.front().at;
}

void Simulator::inject(Fault fault) {
    m_impl->faultStart(fault, now());
}

void Simulator::schedule(Fault fault) {
    Action a;
    a.kind = ActionKind::FaultStart;
    a.fault = fault;
    m_impl->push(std::max(now(), m_start + fault.at), std::move(a));
}

std::size_t Simulator::size() const {
    return m_impl->nodes.size();
}

Simulator::ElectorState Simulator::elector(std::size_t index) const {
    const Impl::Node& n = m_impl->nodes.at(index);
    ElectorState s;
    s.identity = n.info.identity;
    s.alive = n.alive;
    s.running = n.running();
    s.paused = n.paused();
    s.partitioned = n.partitioned();
    s.leader = m_impl->believesLeader(n, now());
    s.fence = n.machine ? n.machine->fence() : 0;
    if (s.leader)
        s.deadline = n.info.toVirtual(n.machine->deadline());
    s.clockRate = n.info.clockRate;
    s.latency = n.latency + n.extra;
    s.timing = n.timing;
    s.nextWake = TimePoint::max();
    if (n.machine)
        s.seenLeader = n.machine->leader();
    if (n.machine && s.running) {
        const TimePoint wake = n.machine->wakeAt();
        if (wake != TimePoint::max() && wake != TimePoint::min())
            s.nextWake = n.info.toVirtual(wake);
    }
    s.pollingOnly = n.pollingOnly;
    return s;
}

TimePoint Simulator::toVirtual(std::size_t index, TimePoint local) const {
    return m_impl->nodes.at(index).info.toVirtual(local);
}

std::optional<StoreView> Simulator::lock() const {
    return m_impl->lockView(now());
}

const ProtectedResource& Simulator::protectedResource() const {
    return m_impl->resource;
}

const History& Simulator::history() const {
    return m_impl->history;
}

History Simulator::takeHistory() {
    return std::move(m_impl->history);
}

void Simulator::discardRecords() {
    History& h = m_impl->history;
    h.events.clear();
    h.writes.clear();
    if (h.store.size() > 1)
        h.store.erase(h.store.begin(), h.store.end() - 1);
}

History simulate(const Scenario& scenario) {
    Simulator sim(scenario);
    sim.run();
    return sim.takeHistory();
}

} // namespace baton
