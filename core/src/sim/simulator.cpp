#include "simulator_impl.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <stdexcept>

namespace baton {

namespace {

// 64 symbols: six bits a character.
constexpr char kTokenSymbols[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
static_assert(sizeof kTokenSymbols == 65);

} // namespace

// The count of tokens made so far, in base 64: unique within the run, which is all a simulated
// token must be (the simulated store is the only one that sees it, and no record of the run
// holds it), and short enough for std::string's inline buffer, so an acquire never allocates.
// Five characters or fewer for the first billion tokens, made in a few steps (it was 90 random
// bits as 15 characters, 5% of a 100-elector run).
std::string Simulator::Impl::newToken() {
    char digits[11]; // 64 bits, six a character
    std::size_t length = 0;
    std::uint64_t count = ++tokensMade;
    do {
        digits[length++] = kTokenSymbols[count & 63];
        count >>= 6;
    } while (count != 0);
    return std::string(digits, length);
}

std::uint64_t VirtualClock::addListener(std::function<void()>) const {
    throw std::logic_error("the simulator's clock takes no listeners: it runs on one thread");
}

Simulator::Impl::Impl(const Scenario& s)
    : scenario(s)
    , replicated(s.replication ? std::make_unique<sim_detail::ReplicatedStore>(
                                     clock, *s.replication, clock.now(), s.seed)
                               : nullptr)
    , network(s.seed ^ 0x6e6574776f726bULL)
    , choice(s.seed ^ 0x63686f696365ULL)
    , locker(lockStore(), [this] { return newToken(); })
    , resource(s.fencing)
    , latencySigma(logNormalSigma(s.latency, s.latencyP99))
    , timedOut("timed out after " + formatDuration(s.commandTimeout))
    , timedOutPartitioned(timedOut + " (partitioned)") {}

void Simulator::Impl::setup() {
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
        n.info.clockRate =
            scenario.drift > 0 ? clocks.between(1.0 - scenario.drift, 1.0 + scenario.drift) : 1.0;
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
    for (Node& n : nodes)
        n.clockChanged();
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
    subscription = lockStore().subscribe(scenario.resource, [this](const Notice& notice) {
        if (notice.kind != Notice::Kind::Released)
            return;
        for (Node& n : nodes)
            if (n.alive && n.machine && !n.partitioned())
                schedule(now() + oneWay(n), ActionKind::Notice, n);
    });

    const auto strikes = [](Action& a, const Fault& f) {
        a.scenario = true;
        a.setFault(f);
    };
    // A fault saved with the steps of its instant before it (Fault::after) waits for them from
    // the first place of that instant, before even the electors' first starts; the others
    // come after those.
    for (const Fault& f : scenario.faults)
        if (f.after > 0)
            strikes(queue.push(start + f.at, ActionKind::FaultStart), f);
    for (Node& n : nodes)
        schedule(start + startAt[static_cast<std::size_t>(n.index)], ActionKind::Boot, n);
    // In time order (equal times in the scenario's), as the heap would have popped them.
    std::vector<const Fault*> byTime;
    for (const Fault& f : scenario.faults)
        if (f.after == 0)
            byTime.push_back(&f);
    std::stable_sort(byTime.begin(), byTime.end(),
                     [](const Fault* a, const Fault* b) { return a->at < b->at; });
    for (const Fault* f : byTime)
        strikes(queue.push(start + f->at, ActionKind::FaultStart), *f);
}

void Simulator::Impl::boot(Action& a, TimePoint v) {
    bringUp(nodes[static_cast<std::size_t>(a.node)], v);
}

[[gnu::flatten]] void Simulator::Impl::wake(Action& a, TimePoint v) {
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    if (a.token != n.wakeToken || a.incarnation != n.incarnation)
        return;
    n.wakeAt = TimePoint::max();
    reusable = true;
    drive(n, v);
}

void Simulator::Impl::strikeScheduled(Action& a, TimePoint v) {
    if (a.scenario) {
        const int taken = stepsAtInstant();
        ++stepsBefore; // no step of its own: it comes before, between or after them
        if (a.fault->after > taken) {
            heldFaults.push_back(std::move(*a.fault));
            return;
        }
    }
    faultStart(*a.fault, v);
}

void Simulator::Impl::strikeHeld(TimePoint v) {
    const bool lastOfInstant = queue.empty() || queue.nextAt() > v;
    // Every one that is due, in the scenario's order (their counts need not rise with it).
    std::vector<Fault> due;
    std::erase_if(heldFaults, [&](Fault& f) {
        if (!lastOfInstant && f.after > stepsAtInstant())
            return false;
        due.push_back(std::move(f));
        return true;
    });
    for (const Fault& f : due)
        faultStart(f, v);
}

// Stops wait in a paused elector's pending list (see deliver()); none is ever queued.
void Simulator::Impl::ignore(Action&, TimePoint) {}

void Simulator::Impl::dispatch(ActionKind kind, Action& a, TimePoint v) {
    assert(kind == a.kind);
    using Handler = void (Impl::*)(Action&, TimePoint);
    // In ActionKind's order.
    static constexpr auto handlers =
        std::to_array<Handler>({&Impl::boot, &Impl::wake, &Impl::arrive, &Impl::reply,
                                &Impl::notice, &Impl::strikeScheduled, &Impl::faultEnd,
                                &Impl::writeTick, &Impl::writeArrive, &Impl::ignore});
    static_assert(handlers.size() == sim_detail::kActionKinds);
    (this->*handlers[static_cast<std::size_t>(kind)])(a, v);
}

bool Simulator::Impl::step() {
    if (queue.empty() || queue.nextAt() > end)
        return false;
    take();
    return true;
}

void Simulator::Impl::take() {
    TimePoint at;
    ActionKind kind;
    taking = queue.pop(at, kind);
    clock.advanceTo(at);
    history.end = at;
    if (at != instant) {
        instant = at;
        stepsBefore = steps;
    }
    dispatch(kind, queue.action(taking), at);
    // Only within its handler: a fault injected between two steps must not take the slot of
    // the action handled last (released by then) when it schedules its end.
    reusable = false;
    if (kept)
        kept = false;
    else
        queue.release(taking);
    ++steps;
    if (!heldFaults.empty())
        strikeHeld(at);
    if (std::exchange(recorded, false) && history.records() > scenario.maxRecords &&
        history.cutShort.empty()) {
        end = at; // nothing after this instant runs
        history.cutShort =
            "the run reached its cap of " + std::to_string(scenario.maxRecords) + " records at " +
            formatDuration(std::chrono::duration_cast<std::chrono::seconds>(at - history.start)) +
            " of virtual time; run a shorter --duration or fewer electors";
    }
}

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
    t = std::min(t, m_impl->end); // the scenario's end, or where a record cap cut it
    // No later than the end: take() is step() without its checks.
    while (!m_impl->queue.empty() && m_impl->queue.nextAt() <= t) {
        m_impl->take();
        t = std::min(t, m_impl->end);
    }
    if (t > m_impl->now()) {
        m_impl->clock.advanceTo(t);
        m_impl->history.end = t;
    }
}

TimePoint Simulator::now() const {
    return m_impl->now();
}

std::optional<TimePoint> Simulator::nextEventTime() const {
    if (m_impl->queue.empty() || m_impl->queue.nextAt() > m_end)
        return std::nullopt;
    return m_impl->queue.nextAt();
}

int Simulator::stepsNow() const {
    return m_impl->instant == now() ? m_impl->stepsAtInstant() : 0;
}

void Simulator::inject(Fault fault) {
    m_impl->faultStart(fault, now());
}

void Simulator::schedule(Fault fault) {
    m_impl->schedule(std::max(now(), m_start + fault.at), ActionKind::FaultStart).setFault(fault);
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
