#include "baton/election/campaigner.h"

#include "deliver.h"

#include <algorithm>

namespace baton {

struct Campaigner::Slot {
    Slot(std::uint64_t id_, Config c, Locker& locker)
        : id(id_)
        , config(std::move(c))
        , machine(config, [&locker] { return locker.newToken(); }) {}

    const std::uint64_t id;
    Config config;
    ElectionMachine machine;
    bool running = false, stopRequested = false, stopApplied = false, notice = false;
    bool queued = false, calling = false;
    std::optional<CallResult> outcome;
    TimePoint armedAt = TimePoint::max();
    Subscription subscription; // touched by start() and stop() only, never by the scheduler
    std::atomic<bool> leading{false};
    std::atomic<TimePoint::rep> deadline{0};
    std::atomic<std::uint64_t> fence{0};
    // Campaign::setNoticeDelay: how long after a release notice the machine hears it, and
    // when a notice heard so far will be handed to it (max: none waits).
    Duration noticeDelay{};
    std::shared_ptr<const std::vector<std::string>> noticeDelayFrom; // null: from anyone
    TimePoint noticeAt = TimePoint::max();
};

Campaigner::Campaigner(Locker& locker, const Clock& clock, Batch batch)
    : m_locker(locker)
    , m_clock(clock)
    , m_batch(std::move(batch)) {
    m_clockListener = m_clock.addListener([this] {
        std::lock_guard guard(m_mutex); // so that a scheduler about to wait cannot miss it
        m_cv.notify_all();
    });
    m_io = std::thread([this] { ioLoop(); });
    m_scheduler = std::thread([this] { schedule(); });
}

Campaigner::~Campaigner() {
    std::vector<Slot*> slots;
    {
        std::lock_guard guard(m_mutex);
        for (auto& [id, slot] : m_slots)
            slots.push_back(slot.get());
    }
    for (Slot* slot : slots)
        stopSlot(*slot);
    {
        std::lock_guard guard(m_mutex);
        m_quit = true;
    }
    m_cv.notify_all();
    m_ioCv.notify_all();
    m_scheduler.join();
    m_io.join();
    m_clock.removeListener(m_clockListener);
}

std::unique_ptr<Campaign> Campaigner::add(Config config) {
    if (config.identity.empty())
        config.identity = defaultIdentity();
    std::lock_guard guard(m_mutex);
    const std::uint64_t id = m_nextId++;
    auto slot = std::make_unique<Slot>(id, std::move(config), m_locker);
    Slot& ref = *slot;
    m_slots.emplace(id, std::move(slot));
    return std::unique_ptr<Campaign>(new Campaign(*this, ref));
}

void Campaigner::makeReady(Slot& slot) {
    if (slot.queued)
        return;
    slot.queued = true;
    m_ready.push_back(slot.id);
    m_cv.notify_all();
}

void Campaigner::arm(Slot& slot) {
    const TimePoint wake =
        slot.running ? std::min(slot.machine.wakeAt(), slot.noticeAt) : TimePoint::max();
    if (wake == slot.armedAt)
        return;
    slot.armedAt = wake;
    if (wake != TimePoint::max())
        m_timers.emplace(wake, slot.id); // an earlier entry for this slot is skipped when due
}

void Campaigner::startSlot(Slot& slot) {
    {
        std::lock_guard guard(m_mutex);
        if (slot.running)
            return;
    }
    slot.subscription.reset(); // of a run that stopped itself from a callback
    slot.subscription =
        m_locker.store().subscribe(slot.config.resource, [this, &slot](const Notice& n) {
            if (n.kind != Notice::Kind::Released)
                return;
            std::lock_guard guard(m_mutex);
            if (!slot.running)
                return;
            const auto& from = slot.noticeDelayFrom;
            const Duration delay =
                !from || std::find(from->begin(), from->end(), n.identity) != from->end()
                    ? slot.noticeDelay
                    : Duration::zero();
            if (delay == Duration::zero()) {
                slot.notice = true;
                makeReady(slot);
            } else if (slot.noticeAt == TimePoint::max()) {
                slot.noticeAt = m_clock.now() + delay; // a later notice changes nothing
                arm(slot);
                m_cv.notify_all(); // the scheduler may wait for a later timer
            }
        });
    std::lock_guard guard(m_mutex);
    Config fresh = slot.config;
    fresh.timing = slot.machine.timing();
    slot.machine = ElectionMachine(fresh, [this] { return m_locker.newToken(); });
    slot.outcome.reset();
    slot.notice = slot.stopRequested = slot.stopApplied = false;
    slot.noticeAt = TimePoint::max();
    slot.running = true;
    slot.machine.start(m_clock.now());
    makeReady(slot);
}

void Campaigner::stopSlot(Slot& slot) {
    std::unique_lock lock(m_mutex);
    if (!slot.running)
        return;
    slot.stopRequested = true;
    makeReady(slot);
    if (onScheduler())
        return; // from a callback: the run ends once the callback returns
    m_doneCv.wait(lock, [&] { return !slot.running; });
    lock.unlock();
    slot.subscription.reset();
}

void Campaigner::stopAll() {
    std::vector<Slot*> stopping;
    {
        std::unique_lock lock(m_mutex);
        for (auto& [id, slot] : m_slots)
            if (slot->running) {
                slot->stopRequested = true;
                makeReady(*slot);
                stopping.push_back(slot.get());
            }
        m_doneCv.wait(lock, [&] {
            return std::none_of(stopping.begin(), stopping.end(),
                                [](const Slot* s) { return s->running; });
        });
    }
    for (Slot* slot : stopping)
        slot->subscription.reset();
}

void Campaigner::removeSlot(Slot& slot) {
    stopSlot(slot);
    slot.subscription.reset();
    std::lock_guard guard(m_mutex);
    m_slots.erase(slot.id); // no timer or answer can reach it: they look it up by id
}

void Campaigner::step(Slot& slot, TimePoint now,
                      std::vector<std::pair<Slot*, std::vector<Event>>>& out,
                      std::vector<std::pair<Slot*, Command>>& calls) {
    ElectionMachine& m = slot.machine;
    if (slot.outcome)
        m.handle(now, *std::exchange(slot.outcome, std::nullopt));
    if (std::exchange(slot.notice, false) || slot.noticeAt <= now) {
        slot.noticeAt = TimePoint::max();
        m.handle(now, ReleaseNotice{});
    }
    if (slot.stopRequested && !slot.stopApplied) {
        slot.stopApplied = true;
        m.handle(now, StopRequest{});
    }
    std::optional<Command> cmd = m.poll(now);
    const bool leading = m.phase() == ElectionMachine::Phase::Leading;
    // The deadline is stored before the flag, so a reader that sees `leading` sees its deadline.
    if (leading)
        slot.deadline.store(m.deadline().time_since_epoch().count(), std::memory_order_release);
    slot.fence.store(m.fence(), std::memory_order_release);
    slot.leading.store(leading, std::memory_order_release);
    if (std::vector<Event> events = m.takeEvents(); !events.empty())
        out.emplace_back(&slot, std::move(events));
    if (cmd)
        calls.emplace_back(&slot, std::move(*cmd));
}

void Campaigner::schedule() {
    m_schedulerId.store(std::this_thread::get_id());
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
        const TimePoint now = m_clock.now();
        while (!m_timers.empty() && m_timers.top().first <= now) {
            const auto [at, id] = m_timers.top();
            m_timers.pop();
            if (const auto it = m_slots.find(id);
                it != m_slots.end() && it->second->armedAt == at) {
                it->second->armedAt = TimePoint::max();
                makeReady(*it->second);
            }
        }
        if (m_ready.empty()) {
            m_clock.wait(m_cv, lock, m_timers.empty() ? TimePoint::max() : m_timers.top().first);
            continue;
        }
        m_busy = true;
        std::vector<std::pair<Slot*, std::vector<Event>>> out;
        std::vector<std::pair<Slot*, Command>> calls;
        std::vector<Slot*> stepped;
        for (const std::uint64_t id : std::exchange(m_ready, {})) {
            const auto it = m_slots.find(id);
            if (it == m_slots.end())
                continue;
            Slot& slot = *it->second;
            slot.queued = false;
            if (!slot.running)
                continue;
            step(slot, now, out, calls);
            stepped.push_back(&slot);
        }
        // Callbacks run unlocked and before the calls go out: a revoked leader's onRevoked
        // has returned before its release is sent.
        lock.unlock();
        for (const auto& [slot, events] : out)
            deliverEvents(slot->config, events);
        lock.lock();
        for (auto& [slot, cmd] : calls) {
            slot->calling = true;
            m_jobs.emplace_back(slot->id, Job{slot->config.identity, std::move(cmd)});
        }
        if (!calls.empty())
            m_ioCv.notify_all();
        for (Slot* slot : stepped) {
            if (slot->running && slot->machine.phase() == ElectionMachine::Phase::Stopped &&
                !slot->calling) {
                slot->running = false;
                slot->leading.store(false, std::memory_order_release);
            } else if (slot->stopRequested && !slot->stopApplied) {
                makeReady(*slot); // a stop asked from a callback just now
            }
            arm(*slot);
        }
        m_busy = false;
        m_doneCv.notify_all();
    }
    m_schedulerId.store(std::thread::id());
}

void Campaigner::ioLoop() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_ioCv.wait(lock, [this] { return !m_jobs.empty() || m_quit; });
        if (m_jobs.empty())
            return; // quitting, nothing left to send
        std::vector<std::uint64_t> ids;
        std::vector<Job> jobs;
        while (!m_jobs.empty() && jobs.size() < kMaxBatch) {
            ids.push_back(m_jobs.front().first);
            jobs.push_back(std::move(m_jobs.front().second));
            m_jobs.pop_front();
        }
        m_inflight += jobs.size();
        lock.unlock();
        std::vector<CallResult> results;
        if (m_batch)
            results = m_batch(jobs);
        for (std::size_t i = results.size(); i < jobs.size(); ++i) // the default (or a short batch)
            results.push_back(execute(m_locker, jobs[i].identity, jobs[i].command));
        lock.lock();
        m_calls += jobs.size();
        ++m_batches;
        m_inflight -= jobs.size();
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const auto it = m_slots.find(ids[i]);
            if (it == m_slots.end())
                continue;
            it->second->calling = false;
            it->second->outcome = std::move(results[i]);
            makeReady(*it->second);
        }
    }
}

bool Campaigner::idle() const {
    std::lock_guard guard(m_mutex);
    if (m_busy || !m_ready.empty() || !m_jobs.empty() || m_inflight > 0)
        return false;
    // A timer already due: the scheduler has not woken for it yet.
    const TimePoint now = m_clock.now();
    for (const auto& [id, slot] : m_slots)
        if (slot->running && slot->armedAt <= now)
            return false;
    return true;
}

TimePoint Campaigner::nextWake() const {
    std::lock_guard guard(m_mutex);
    TimePoint wake = TimePoint::max();
    for (const auto& [id, slot] : m_slots)
        if (slot->running)
            wake = std::min(wake, slot->armedAt);
    return wake;
}

Campaign::~Campaign() {
    m_owner.removeSlot(m_slot);
}

void Campaign::start() {
    m_owner.startSlot(m_slot);
}

void Campaign::stop() {
    m_owner.stopSlot(m_slot);
}

bool Campaign::isLeader() const noexcept {
    if (!m_slot.leading.load(std::memory_order_acquire))
        return false;
    return m_owner.m_clock.now().time_since_epoch().count() <
           m_slot.deadline.load(std::memory_order_acquire);
}

std::uint64_t Campaign::fence() const noexcept {
    return m_slot.fence.load(std::memory_order_acquire);
}

TimePoint Campaign::deadline() const {
    return TimePoint(Duration(m_slot.deadline.load(std::memory_order_acquire)));
}

std::string Campaign::leader() const {
    std::lock_guard guard(m_owner.m_mutex);
    return m_slot.machine.leader();
}

bool Campaign::running() const {
    std::lock_guard guard(m_owner.m_mutex);
    return m_slot.running;
}

const std::string& Campaign::identity() const {
    return m_slot.config.identity;
}

const std::string& Campaign::resource() const {
    return m_slot.config.resource;
}

void Campaign::setTiming(const Timing& timing) {
    std::lock_guard guard(m_owner.m_mutex);
    m_slot.machine.setTiming(timing);
    m_owner.makeReady(m_slot);
}

void Campaign::setNoticeDelay(Duration delay,
                              std::shared_ptr<const std::vector<std::string>> from) {
    std::lock_guard guard(m_owner.m_mutex);
    m_slot.noticeDelay = std::max(delay, Duration::zero());
    m_slot.noticeDelayFrom = std::move(from);
}

Duration Campaign::noticeDelay() const {
    std::lock_guard guard(m_owner.m_mutex);
    return m_slot.noticeDelay;
}

Timing Campaign::timing() const {
    std::lock_guard guard(m_owner.m_mutex);
    return m_slot.machine.timing();
}

} // namespace baton
