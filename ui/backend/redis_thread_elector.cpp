#include "backend/redis_thread_elector.h"

#include "backend/redis_link.h"

#include <baton/election/election.h>
#include <baton/fault/fault.h>
#include <baton/redis/redis_store.h>
#include <baton/store/fault_store.h>
#include <baton/store/locker.h>

namespace baton::lab {

using namespace std::chrono_literals;

namespace {

constexpr Duration kRebuildInterval = 1s;

// Ends a latency fault first: the release must not sit out the delay.
void stopElection(auto& parts) {
    parts.faults->delayFor(Duration{}, Duration{});
    parts.election->stop();
}

} // namespace

// Its chain: Redis <- faults (partition, latency, counters) <- lock <- election.
struct ThreadElector::Parts {
    std::unique_ptr<RedisStore> redis;
    std::unique_ptr<FaultStore> faults;
    std::unique_ptr<Locker> locker;
    std::unique_ptr<Election> election;
};

// The side that its worker owns.
struct ThreadElector::Slot {
    std::shared_ptr<Parts> parts; // touched on the worker only
    SerialWorker worker;          // last: joined before the parts go
};

ThreadElector::ThreadElector(RedisHost& host, int id, const QString& identity,
                             std::shared_ptr<Inbox> inbox, std::string url, std::string resource,
                             const Timing& timing, bool pollingOnly)
    : RedisElector(host, id, identity, ElectorKind::Thread)
    , m_inbox(std::move(inbox))
    , m_url(std::move(url))
    , m_resource(std::move(resource))
    , m_slot(std::make_unique<Slot>()) {
    m_timing = timing;
    m_pollingOnly = pollingOnly;
}

ThreadElector::~ThreadElector() = default;

Config ThreadElector::electionConfig() {
    Config config;
    config.resource = m_resource;
    config.identity = identityStd();
    config.timing = m_timing;
    config.pollingOnly = m_pollingOnly;
    // Runs on the election's thread: it only hands the event over.
    config.onEvent = [inbox = m_inbox, self = this](const Event& e) {
        inbox->post([self, e] {
            WireEvent w;
            w.id = self->identityStd();
            w.at = self->m_host.clock().at(e.at);
            w.name = std::string(eventName(e.type));
            w.fence = e.fence;
            if (e.type == EventType::Elected || e.type == EventType::Extended)
                w.deadline = self->m_host.clock().at(e.deadline);
            w.leader = qstr(e.leader);
            w.detail = eventDetail(e);
            self->apply(w);
        });
    };
    return config;
}

void ThreadElector::build() {
    m_building = true;
    Slot* s = m_slot.get();
    s->worker.post([s, inbox = m_inbox, url = m_url, config = electionConfig(), self = this] {
        try {
            auto p = std::make_shared<Parts>();
            p->redis = std::make_unique<RedisStore>(url, labRedisOptions());
            p->faults = std::make_unique<FaultStore>(*p->redis);
            p->locker = std::make_unique<Locker>(*p->faults);
            p->election = std::make_unique<Election>(*p->locker, config);
            p->election->start();
            s->parts = p;
            inbox->post([self, p] { self->built(p); });
        } catch (const std::exception& e) {
            inbox->post([self, message = std::string(e.what())] { self->buildFailed(message); });
        }
    });
}

void ThreadElector::built(std::shared_ptr<Parts> parts) {
    m_building = false;
    m_buildError.clear();
    if (removed()) {
        onWorker([](Parts& p) { p.election->stop(); });
        return;
    }
    m_parts = std::move(parts);
    m_life = Life::Running;
}

void ThreadElector::buildFailed(const std::string& message) {
    m_building = false;
    m_nextBuildAt = m_host.clock().now() + kRebuildInterval;
    const QString text = qstr(message);
    if (text != m_buildError)
        m_host.labError(QStringLiteral("%1 cannot start: %2").arg(identity(), text));
    m_buildError = text;
}

void ThreadElector::onWorker(std::function<void(Parts&)> fn) {
    Slot* s = m_slot.get();
    if (!s)
        return;
    s->worker.post([s, inbox = m_inbox, host = &m_host, who = identity(), fn = std::move(fn)] {
        if (!s->parts)
            return;
        try {
            fn(*s->parts);
        } catch (const std::exception& e) {
            inbox->post([host, who, message = std::string(e.what())] {
                host->labError(who + QStringLiteral(": ") + qstr(message));
            });
        }
    });
}

void ThreadElector::tick(LabTime now) {
    if (!m_parts && !m_building && !removed() && now >= m_nextBuildAt)
        build();
}

void ThreadElector::requestStop() {
    Slot* s = m_slot.get();
    if (!s)
        return;
    s->worker.post([s] {
        if (s->parts)
            stopElection(*s->parts);
    });
}

void ThreadElector::join() {
    m_slot.reset(); // its stop has run
}

bool ThreadElector::believesLeader(LabTime /*now*/) const {
    return m_parts && m_parts->election->isLeader();
}

Timing ThreadElector::timing() const {
    return m_parts ? m_parts->election->timing() : RedisElector::timing();
}

std::uint64_t ThreadElector::fenceNow() const {
    return m_parts ? m_parts->election->fence() : m_fence;
}

void ThreadElector::fillView(ElectorView& v, LabTime /*now*/, ElectorState down) const {
    if (!m_parts) {
        v.state = down;
        if (!removed())
            v.note = m_buildError.isEmpty() ? QStringLiteral("connecting to Redis")
                                            : QStringLiteral("waiting for Redis: ") + m_buildError;
        return;
    }
    const Election& e = *m_parts->election;
    v.fence = e.fence();
    v.seenLeader = qstr(e.leader());
    v.latency = m_parts->faults->delayNow();
    const StoreCounters c = m_parts->faults->counters();
    v.storeCalls = c.acquireWon + c.acquireLost + c.acquireErrors + c.extendOk + c.extendLost +
                   c.extendErrors + c.releaseOk + c.releaseMissed + c.releaseErrors;
    if (!e.running())
        v.state = down;
    else if (ElectionFaults::paused(e))
        v.state = ElectorState::Paused;
    else if (m_parts->faults->partitioned())
        v.state = ElectorState::Partitioned;
    else
        v.state = v.believesLeader ? ElectorState::Leader : ElectorState::Follower;
    if (e.running() && !v.believesLeader) {
        // A follower's arc: from its last try to its next one.
        const TimePoint wake = e.nextWake();
        if (wake != TimePoint::max()) {
            v.leaseEnd = m_host.clock().at(wake);
            v.leaseStart = std::max(LabTime{}, v.leaseEnd - v.timing.retryInterval);
        }
    }
}

std::optional<QString> ThreadElector::whyNot(const Action& a, LabTime /*now*/) const {
    if (!m_parts) {
        if (a.kind == Action::Kind::Remove)
            return std::nullopt;
        return QStringLiteral("%1: %2 is not connected to Redis yet%3")
            .arg(actionName(a.kind), identity(),
                 m_buildError.isEmpty()
                     ? QString()
                     : QStringLiteral(" (") + m_buildError + QStringLiteral(")"));
    }
    const bool running = m_parts->election->running();
    switch (a.kind) {
    case Action::Kind::Crash:
    case Action::Kind::Stop:
    case Action::Kind::Pause:
        return needsRunning(a, running);
    case Action::Kind::Start:
        return running ? alreadyRunning() : std::nullopt;
    case Action::Kind::Timing:
    case Action::Kind::Remove:
        return std::nullopt;
    default:
        return whyNotFault(a);
    }
}

std::optional<QString> ThreadElector::whyNotFault(const Action& a) const {
    switch (a.kind) {
    case Action::Kind::Resume:
        if (!ElectionFaults::paused(*m_parts->election))
            return notPaused();
        return std::nullopt;
    case Action::Kind::Partition:
        return badLength(a);
    case Action::Kind::Heal:
        if (!m_parts->faults->partitioned() && m_parts->faults->delayNow() == Duration{})
            return QStringLiteral("heal: %1 is neither partitioned nor slowed").arg(identity());
        return std::nullopt;
    case Action::Kind::Latency:
        if (auto why = badLength(a))
            return why;
        return badStrength(a);
    case Action::Kind::Drift:
        return noDrift();
    default:
        return QStringLiteral("%1 does not apply to a thread elector").arg(actionName(a.kind));
    }
}

void ThreadElector::act(const Action& a, LabTime now) {
    if (!m_parts) { // only Remove gets here
        markRemoved();
        fault(QStringLiteral("stop"), false, {}, QStringLiteral("removed"));
        return;
    }
    const bool leads = m_parts->election->isLeader();
    switch (a.kind) {
    case Action::Kind::Pause:
        onWorker([d = a.duration](Parts& p) { ElectionFaults::pause(*p.election, d); });
        break;
    case Action::Kind::Resume:
        onWorker([](Parts& p) { ElectionFaults::pause(*p.election, Duration{}); });
        break;
    case Action::Kind::Partition:
        onWorker([d = a.duration](Parts& p) { p.faults->partitionFor(d); });
        break;
    case Action::Kind::Heal:
        onWorker([](Parts& p) {
            p.faults->partitionFor(Duration{});
            p.faults->delayFor(Duration{}, Duration{});
        });
        break;
    case Action::Kind::Latency:
        onWorker([x = a.extra, d = a.duration](Parts& p) { p.faults->delayFor(x, d); });
        break;
    case Action::Kind::Timing:
        m_timing = a.timing;
        onWorker([t = a.timing](Parts& p) { p.election->setTiming(t); });
        break;
    default:
        actLifecycle(a, now, leads);
        return;
    }
    reportFault(a, now, leads);
}

void ThreadElector::actLifecycle(const Action& a, LabTime now, bool leads) {
    auto stop = [](Parts& p) { stopElection(p); };
    switch (a.kind) {
    case Action::Kind::Crash:
        m_life = Life::Crashed;
        m_note = QStringLiteral("killed");
        onWorker([](Parts& p) {
            p.faults->delayFor(Duration{}, Duration{}); // as a stop: no delay to sit out
            ElectionFaults::kill(*p.election);
        });
        reportFault(a, now, leads);
        break;
    case Action::Kind::Stop:
        m_life = Life::Stopped;
        m_note = QStringLiteral("stopped");
        onWorker(stop);
        reportFault(a, now, leads);
        break;
    case Action::Kind::Start:
        fault(m_life == Life::Crashed ? QStringLiteral("restart") : QStringLiteral("start"), false);
        m_life = Life::Running;
        m_note.clear();
        onWorker([](Parts& p) { p.election->start(); });
        break;
    case Action::Kind::Remove:
        markRemoved();
        m_life = Life::Stopped;
        onWorker(stop);
        fault(QStringLiteral("stop"), leads, {}, QStringLiteral("removed"));
        break;
    default:
        break;
    }
}

std::optional<QString> ThreadElector::whyNoResign() const {
    return QStringLiteral("resign leader: %1 is an election on a thread of the lab, which takes "
                          "no control messages; Stop it (it releases at once) or resign an agent")
        .arg(identity());
}

} // namespace baton::lab
