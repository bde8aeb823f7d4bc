#include "backend/sim_backend.h"

#include <algorithm>

namespace baton::lab {

namespace {

constexpr auto kTick = std::chrono::milliseconds(20);
// At most this much wall time's worth of virtual time is run per tick; beyond it the run falls
// behind the wall clock instead of spiralling (100 electors at 100x on a slow machine).
constexpr auto kMostPerTick = std::chrono::milliseconds(250);
constexpr auto kRateWindow = std::chrono::seconds(5);

TimePoint wallNow() {
    return SteadyClock::instance().now();
}

} // namespace

SimBackend::SimBackend(Scenario scenario, QObject* parent)
    : Backend(parent)
    , m_scenario(std::move(scenario))
    , m_sim(std::make_unique<Simulator>(m_scenario))
    , m_pacer(wallNow(), m_sim->now())
    , m_timer(new QTimer(this))
    , m_recorded(m_scenario) {
    m_fences.assign(m_sim->size(), 0);
    for (const ElectorInfo& e : m_sim->history().electors)
        m_identities.push_back(QString::fromStdString(e.identity));
    m_timer->setInterval(kTick);
    connect(m_timer, &QTimer::timeout, this, &SimBackend::tick);
}

SimBackend::~SimBackend() = default;

Capabilities SimBackend::capabilities(ElectorState state) {
    FaultSubject subject;
    subject.running = state != ElectorState::Crashed && state != ElectorState::Stopped;
    subject.paused = state == ElectorState::Paused;
    subject.partitioned = state == ElectorState::Partitioned;
    Capabilities c;
    for (int k = 0; k < kFaultKinds; ++k)
        c[std::size_t(k)] = qstr(faultUnavailable(FaultKind(k), subject));
    c[std::size_t(Action::Kind::Remove)] =
        QStringLiteral("simulated electors stay for the run (stop it instead)");
    c[std::size_t(Action::Kind::ResignLeader)] =
        QStringLiteral("resign is a control message to a real agent (Redis mode); here, Stop "
                       "the leader: it releases at once");
    return c;
}

Scenario SimBackend::defaultScenario(int electors, int pollingOnlyElectors) {
    Scenario s;
    s.name = "lab";
    s.description = "The lab's simulated cluster";
    s.electors = electors;
    s.duration = std::chrono::hours(24 * 365);
    s.timing = Timing{std::chrono::seconds(5), std::chrono::seconds(1), std::chrono::seconds(1)};
    for (int i = std::max(0, electors - pollingOnlyElectors); i < electors; ++i) {
        ElectorSetup e;
        e.index = i;
        e.pollingOnly = true;
        s.setups.push_back(e);
    }
    return s;
}

void SimBackend::begin() {
    m_pacer.reset(wallNow(), m_sim->now());
    m_pacer.setSpeed(m_timePaused ? 0.0 : m_speed, wallNow());
    m_timer->start();
    publish();
}

void SimBackend::setSpeed(double speed) {
    m_speed = std::clamp(speed, kMinSpeed, kMaxSpeed);
    if (!m_timePaused)
        m_pacer.setSpeed(m_speed, wallNow());
    publish();
}

void SimBackend::setTimePaused(bool paused) {
    m_timePaused = paused;
    const TimePoint wall = wallNow();
    m_pacer.reset(wall, m_sim->now());
    m_pacer.setSpeed(paused ? 0.0 : m_speed, wall);
    publish();
}

void SimBackend::stepToNextEvent() {
    if (!m_timePaused)
        setTimePaused(true);
    m_sim->step();
    m_pacer.reset(wallNow(), m_sim->now());
    m_pacer.pause(wallNow());
    publish();
}

void SimBackend::tick() {
    const TimePoint wall = wallNow();
    TimePoint target = std::min(m_pacer.target(wall), m_sim->end());
    const auto most = std::chrono::duration_cast<Duration>(kMostPerTick * m_speed);
    if (target > m_sim->now() + most) {
        target = m_sim->now() + most;
        m_pacer.reset(wall, target);
        m_pacer.setSpeed(m_timePaused ? 0.0 : m_speed, wall);
    }
    if (target > m_sim->now())
        m_sim->runUntil(target);
    publish();
}

void SimBackend::act(const Action& action) {
    const auto refuse = [this, &action](const QString& why) {
        Q_EMIT actionRefused(actionName(action.kind) + QStringLiteral(": ") + why);
    };
    Fault f;
    f.target = FaultTarget{FaultTarget::Kind::Elector, action.elector};
    const bool needsElector =
        action.kind != Action::Kind::KillLeader && action.kind != Action::Kind::ResignLeader;
    if (needsElector && (action.elector < 0 || std::size_t(action.elector) >= m_sim->size()))
        return refuse(
            QStringLiteral("no elector %1 (there are %2)").arg(action.elector).arg(m_sim->size()));
    if (action.kind == Action::Kind::KillLeader) {
        bool anyone = false;
        for (std::size_t i = 0; i < m_sim->size() && !anyone; ++i)
            anyone = m_sim->elector(i).leader;
        if (!anyone && !m_sim->lock())
            return refuse(QStringLiteral("nobody leads right now"));
        f.kind = FaultKind::Crash;
        f.target = FaultTarget{FaultTarget::Kind::Leader, 0};
        f.duration = action.duration; // zero: it stays down until started
    } else if (const std::optional<FaultKind> fault = faultOf(action.kind)) {
        f.kind = *fault;
        if (f.kind == FaultKind::Start && !m_sim->elector(std::size_t(action.elector)).alive)
            f.kind = FaultKind::Restart;
        // A stop lasts until Start, a kill too unless it has a length; the others for the
        // length asked.
        if (isLasting(f.kind) && f.kind != FaultKind::Stop)
            f.duration = action.duration;
        if (f.kind == FaultKind::Latency)
            f.extra = action.extra;
        if (f.kind == FaultKind::Drift)
            f.rate = action.rate;
        if (f.kind == FaultKind::Timing) {
            try {
                validate(action.timing);
            } catch (const ConfigError& e) {
                return refuse(QString::fromStdString(e.what()));
            }
            f.ttl = action.timing.ttl;
            f.refresh = action.timing.refreshInterval;
            f.retry = action.timing.retryInterval;
        }
    } else {
        return refuse(QStringLiteral("only in Redis mode (File > Connect to Redis)"));
    }
    if (const std::string rule = faultStrengthError(f.kind, f.duration, f.extra, f.rate);
        !rule.empty())
        return refuse(qstr(rule));
    inject(f, action.kind);
}

// Records each elector the fault struck (a kill of the leader strikes whoever leads) and
// refuses for each it could not.
void SimBackend::inject(const Fault& f, Action::Kind kind) {
    const std::size_t before = m_sim->history().faults.size();
    m_sim->inject(f);
    const auto& faults = m_sim->history().faults;
    for (std::size_t i = before; i < faults.size(); ++i) {
        Fault struck = f;
        if (faults[i].elector >= 0)
            struck.target = FaultTarget{FaultTarget::Kind::Elector, faults[i].elector};
        if (faults[i].applied)
            recordFault(struck);
        else
            Q_EMIT actionRefused(actionName(kind) + QStringLiteral(": ") + qstr(faults[i].detail));
    }
    publish();
}

void SimBackend::recordFault(const Fault& fault) {
    Fault f = fault;
    f.at = m_sim->now() - m_sim->start();
    f.after = m_sim->stepsNow(); // after a single step, between two actions of one instant
    std::lock_guard lock(m_recordMutex);
    m_recorded.faults.push_back(f);
}

Scenario SimBackend::recordedScenario() const {
    std::lock_guard lock(m_recordMutex);
    Scenario s = m_recorded;
    // As long as it was played (and a TTL past its last fault), not the lab's endless year.
    Duration end = m_playedFor;
    for (const Fault& f : s.faults)
        end = std::max(end, f.at + f.duration + s.timing.ttl);
    s.duration = std::min(s.duration, std::max(end, Duration(std::chrono::seconds(1))));
    return s;
}

void SimBackend::harvest() {
    const History& h = m_sim->history();
    for (const ElectorEvent& e : h.events) {
        LabEvent out;
        out.at = labTime(e.at);
        out.source = LabEvent::Source::Elector;
        out.elector = e.elector;
        out.identity = identityOf(e.elector);
        out.name = qstr(eventName(e.event.type));
        out.fence = e.event.fence;
        if (e.event.fence > 0)
            m_fences[std::size_t(e.elector)] = e.event.fence;
        if (e.event.type == EventType::Elected || e.event.type == EventType::Extended)
            out.deadline = labTime(m_sim->toVirtual(std::size_t(e.elector), e.event.deadline));
        out.detail = eventDetail(e.event);
        m_pending.push_back(std::move(out));
    }
    faultEvents();
    storeEvents();
    m_sim->discardRecords();
}

void SimBackend::faultEvents() {
    const History& h = m_sim->history();
    for (; m_faultsSeen < h.faults.size(); ++m_faultsSeen) {
        const FaultRecord& r = h.faults[m_faultsSeen];
        LabEvent out;
        out.at = labTime(r.at);
        out.source = LabEvent::Source::Fault;
        out.elector = r.elector;
        out.identity = identityOf(r.elector);
        out.name = qstr(faultName(r.kind));
        out.wasLeader = r.wasLeader;
        out.detail = r.applied ? qstr(r.detail) : QStringLiteral("not applied: ") + qstr(r.detail);
        if (r.applied && isLasting(r.kind) && r.end > r.at) {
            if (r.end != TimePoint::max())
                out.until = labTime(r.end);
            m_openFaults.push_back(OpenFault{m_faultsSeen, r.end});
        }
        const bool crashedLeader = r.applied && r.wasLeader && r.kind == FaultKind::Crash;
        m_pending.push_back(std::move(out));
        if (crashedLeader)
            m_pending.push_back(
                crashRevocation(m_pending.back(), m_fences[std::size_t(r.elector)]));
    }
    const TimePoint now = m_sim->now();
    std::erase_if(m_openFaults, [&](const OpenFault& open) {
        const FaultRecord& r = h.faults[open.record];
        if (r.end > now)
            return false;
        // Ended by itself: say so. Ended early by an explicit fault: that fault says so.
        const std::optional<FaultKind> ending = endingFault(r.kind);
        if (r.end == open.until && ending) {
            LabEvent out;
            out.at = labTime(r.end);
            out.source = LabEvent::Source::Fault;
            out.elector = r.elector;
            out.identity = identityOf(r.elector);
            out.name = qstr(faultName(*ending));
            out.detail = QStringLiteral("end of the %1").arg(qstr(faultName(r.kind)));
            m_pending.push_back(std::move(out));
        }
        return true;
    });
}

void SimBackend::storeEvents() {
    const History& h = m_sim->history();
    const auto change = [&](TimePoint at, int elector, std::uint64_t fence) {
        LabEvent out;
        out.at = labTime(at);
        out.source = LabEvent::Source::Store;
        out.elector = elector;
        if (elector >= 0)
            out.identity = identityOf(elector);
        out.name = elector >= 0 ? QStringLiteral("holder") : QStringLiteral("free");
        out.fence = fence;
        m_pending.push_back(std::move(out));
        m_holder = elector;
        m_holderFence = fence;
    };
    // An expiry changes nothing in the store until the next call sees it; the lab shows it
    // when it happened.
    const auto expireUpTo = [&](TimePoint t) {
        if (m_holder >= 0 && m_holderExpires <= t)
            change(m_holderExpires, -1, 0);
    };
    // discardRecords() keeps the last view: it was handled in the harvest before.
    for (std::size_t i = m_storeKeptHandled ? 1 : 0; i < h.store.size(); ++i) {
        const StoreView& v = h.store[i];
        expireUpTo(v.at);
        if (v.elector != m_holder || (v.elector >= 0 && v.fence != m_holderFence))
            change(v.at, v.elector, v.fence);
        m_holderExpires = v.expiresAt;
    }
    expireUpTo(m_sim->now());
    m_storeKeptHandled = !h.store.empty();
}

void SimBackend::publish() {
    {
        std::lock_guard lock(m_recordMutex);
        m_playedFor = m_sim->now() - m_sim->start();
    }
    harvest();
    if (!m_pending.isEmpty()) {
        std::stable_sort(m_pending.begin(), m_pending.end(),
                         [](const LabEvent& a, const LabEvent& b) { return a.at < b.at; });
        Q_EMIT eventsReady(m_pending);
        m_pending.clear();
    }
    Q_EMIT snapshotReady(snapshot());
}

ClusterSnapshot SimBackend::snapshot() {
    ClusterSnapshot s;
    const TimePoint now = m_sim->now();
    s.now = labTime(now);
    s.simulated = true;
    s.paused = m_timePaused;
    s.speed = m_speed;
    const History& h = m_sim->history();
    std::uint64_t calls = 0;
    s.electors.reserve(qsizetype(m_sim->size()));
    for (std::size_t i = 0; i < m_sim->size(); ++i) {
        const Simulator::ElectorState e = m_sim->elector(i);
        ElectorView v;
        v.id = int(i);
        v.identity = m_identities[qsizetype(i)];
        v.kind = ElectorKind::Simulated;
        v.believesLeader = e.leader;
        if (!e.alive)
            v.state = ElectorState::Crashed;
        else if (!e.running)
            v.state = ElectorState::Stopped;
        else if (e.paused)
            v.state = ElectorState::Paused;
        else if (e.partitioned)
            v.state = ElectorState::Partitioned;
        else
            v.state = e.leader ? ElectorState::Leader : ElectorState::Follower;
        v.unavailable = capabilities(v.state);
        v.pollingOnly = e.pollingOnly;
        v.fence = e.fence;
        v.timing = e.timing;
        if (e.leader) {
            v.leaseEnd = labTime(e.deadline);
            v.leaseStart = v.leaseEnd - std::chrono::duration_cast<Duration>(
                                            e.timing.ttl * (1.0 - m_scenario.maxDrift));
        } else if (e.running && !e.paused && e.nextWake != TimePoint::max() && e.nextWake > now) {
            v.leaseEnd = labTime(e.nextWake);
            v.leaseStart = std::min(s.now, v.leaseEnd - e.timing.retryInterval);
        }
        v.clockRate = e.clockRate;
        v.latency = e.latency;
        v.seenLeader = QString::fromStdString(e.seenLeader);
        v.storeCalls = i < h.storeCalls.size() ? h.storeCalls[i] : 0;
        calls += v.storeCalls;
        for (const OpenFault& open : m_openFaults) {
            const FaultRecord& r = h.faults[open.record];
            if (r.elector != int(i))
                continue;
            const QString what = qstr(faultName(r.kind));
            const QString note = r.end == TimePoint::max()
                                     ? what
                                     : what + QStringLiteral(" until ") +
                                           formatSeconds(labTime(r.end)) + QStringLiteral(" s");
            v.note = v.note.isEmpty() ? note : v.note + QStringLiteral(", ") + note;
        }
        if (v.clockRate != 1.0) {
            const QString rate = QStringLiteral("clock rate %1").arg(v.clockRate, 0, 'g', 4);
            v.note = v.note.isEmpty() ? rate : v.note + QStringLiteral(", ") + rate;
        }
        s.electors.push_back(std::move(v));
    }
    s.lock.known = true;
    if (const auto held = m_sim->lock()) {
        s.lock.holder = held->elector;
        if (held->elector >= 0) {
            s.lock.holderIdentity = s.electors[held->elector].identity;
            s.lock.ttl = s.electors[held->elector].timing.ttl;
        }
        s.lock.fence = held->fence;
        s.lock.expiresAt = labTime(held->expiresAt);
    }
    if (m_calls.empty() || m_calls.back().first < now)
        m_calls.emplace_back(now, calls);
    while (m_calls.size() > 2 && m_calls.front().first < now - kRateWindow)
        m_calls.pop_front();
    const Duration span = now - m_calls.front().first;
    if (span.count() > 0)
        s.storeOpsPerSecond =
            double(calls - m_calls.front().second) / std::chrono::duration<double>(span).count();
    return s;
}

} // namespace baton::lab
