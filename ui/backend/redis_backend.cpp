#include "backend/redis_backend_impl.h"

namespace baton::lab {

using namespace std::chrono_literals;

// ---- lifecycle ------------------------------------------------------------------------------

void RedisBackend::Impl::begin() {
    if (m_begun || m_shutDown)
        return;
    m_begun = true;
    m_clock.begin();
    try {
        (void)RedisUrl::parse(m_urlStd);
        labEvent(QStringLiteral("info"),
                 QStringLiteral("connecting to %1 for '%2'%3")
                     .arg(m_health.displayUrl, shownResource(),
                          m_readOnly ? QStringLiteral(" (read-only watch)") : QString()));
    } catch (const UrlError& e) {
        m_health.urlError = qstr(e.what());
        labError(m_health.urlError);
    }
    m_tick = new QTimer(&q);
    m_tick->setInterval(RedisBackend::kSnapshotInterval);
    QObject::connect(m_tick, &QTimer::timeout, &q, [this] { tick(); });
    m_tick->start();
    tick();
}

// `report`: end with the last events and a snapshot (not from the destructor: no signals then).
void RedisBackend::Impl::stopAll(bool report) {
    if (m_shutDown)
        return;
    m_shutDown = true;
    if (m_tick)
        m_tick->stop();
    // Everything is asked to stop at once; then the waits overlap.
    if (m_link)
        m_link->stop();
    for (auto& r : m_electors)
        r->requestStop();
    const TimePoint graceEnd = steadyNow() + kAgentGrace;
    for (auto& r : m_electors)
        r->awaitStop(graceEnd);
    for (auto& r : m_electors)
        r->join();
    m_link.reset();
    if (m_begun && report) {
        drainInbox();
        labEvent(QStringLiteral("info"), QStringLiteral("stopped everything the lab started"));
        flushEvents();
        Q_EMIT q.snapshotReady(snapshot(m_clock.now()));
    }
}

void RedisBackend::Impl::drainInbox() {
    std::uint64_t dropped = 0;
    for (auto& item : m_inbox->take(dropped))
        item();
    if (dropped)
        labError(QStringLiteral("the lab fell behind and dropped %1 updates").arg(dropped));
}

// ---- the tick -------------------------------------------------------------------------------

void RedisBackend::Impl::tick() {
    drainInbox();
    const LabTime now = m_clock.now();
    schedule(now);
    // Outages are events once, when they begin and when they end; the status says the rest.
    const QString status = m_health.status(now);
    const bool down = !status.isEmpty() && m_health.connected;
    if (down != m_outage) {
        m_outage = down;
        if (down)
            labError(status);
        else
            labEvent(QStringLiteral("info"), QStringLiteral("Redis answers again"));
    }
    flushEvents();
    Q_EMIT q.snapshotReady(snapshot(now));
}

void RedisBackend::Impl::schedule(LabTime now) {
    if (!m_health.urlError.isEmpty())
        return;
    if (!m_health.connected && !m_health.connecting && now >= m_health.nextConnectAt) {
        m_health.connecting = true;
        if (!m_link) {
            m_link = std::make_unique<RedisLink>(m_inbox, *this, m_urlStd, m_resourceStd);
            m_link->setWatchOnly(m_readOnly);
        }
        m_link->connect();
    }
    // INFO is no write, but a read-only watcher's ACL need not grant it (the README's line).
    if (m_health.connected && !m_readOnly && !m_infoInFlight && now >= m_nextInfoAt) {
        m_infoInFlight = true;
        m_nextInfoAt = now + kInfoInterval;
        m_link->pollInfo();
    }
    for (auto& r : m_electors)
        r->tick(now);
    // A kill with a length: the elector comes back then, unless somebody started it already.
    std::erase_if(m_comeBack, [&](const std::pair<int, LabTime>& due) {
        Action start;
        start.kind = Action::Kind::Start;
        start.elector = due.first;
        RedisElector* r = m_electors.find(due.first);
        if (due.second <= now && r && !r->removed() && !r->whyNot(start, now))
            r->act(start, now);
        return due.second <= now;
    });
}

void RedisBackend::Impl::flushEvents() {
    if (m_pending.isEmpty())
        return;
    // Sources stamp their own times (an agent's line comes a little later than it happened):
    // in time order within a batch, and never before what was already sent.
    std::stable_sort(m_pending.begin(), m_pending.end(),
                     [](const LabEvent& a, const LabEvent& b) { return a.at < b.at; });
    for (LabEvent& e : m_pending) {
        e.at = std::max(e.at, m_lastEventAt);
        m_lastEventAt = e.at;
    }
    Q_EMIT q.eventsReady(std::exchange(m_pending, {}));
}

ClusterSnapshot RedisBackend::Impl::snapshot(LabTime now) {
    ClusterSnapshot s;
    s.now = now;
    s.simulated = false;
    s.paused = false;
    s.speed = 1.0;
    s.electors.reserve(qsizetype(m_electors.size()));
    for (auto& r : m_electors)
        s.electors.push_back(r->view(now));
    s.lock = lockView(now);
    s.storeOpsPerSecond = m_health.fresh(now) ? m_opsPerSecond : 0;
    s.storeStatus = m_health.status(now);
    s.resource = m_resource;
    if (m_readOnly) {
        s.readOnly = RedisBackend::readOnlyReason();
        for (ElectorView& v : s.electors) {
            v.controllable = false;
            for (int k = 0; k < kActionKinds; ++k)
                if (actsOnOne(Action::Kind(k)))
                    v.unavailable[std::size_t(k)] = s.readOnly;
        }
    }
    return s;
}

LockView RedisBackend::Impl::lockView(LabTime now) {
    LockView v;
    if (!m_health.fresh(now) || !m_observed)
        return v;
    v.known = true;
    if (!m_observed->holder)
        return v;
    const LockInfo& h = *m_observed->holder;
    v.holderIdentity = qstr(h.identity);
    v.fence = h.fence;
    v.expiresAt = m_observedAt + h.remaining;
    v.ttl = h.remaining;
    if (RedisElector* r = m_electors.findByIdentity(h.identity)) {
        v.holder = r->id();
        v.ttl = std::max(v.ttl, r->timing().ttl);
    }
    return v;
}

void RedisBackend::Impl::labEvent(const QString& name, const QString& detail) {
    LabEvent e;
    e.at = m_begun ? m_clock.now() : LabTime{};
    e.source = LabEvent::Source::Lab;
    e.name = name;
    e.detail = detail;
    push(std::move(e));
}

// ---- the link -------------------------------------------------------------------------------

void RedisBackend::Impl::sendControl(const QString& who, const std::string& json) {
    if (m_readOnly) { // act() refuses first; this is the last guard before a write
        labError(QStringLiteral("not sent to %1: %2").arg(who, RedisBackend::readOnlyReason()));
        return;
    }
    if (!m_link) {
        labError(QStringLiteral("cannot reach %1: not connected to Redis").arg(who));
        return;
    }
    m_link->publishControl(who, json);
}

void RedisBackend::Impl::onControlFailed(const QString& who, const std::string& message) {
    labError(QStringLiteral("cannot reach %1: %2").arg(who, qstr(message)));
}

void RedisBackend::Impl::onConnected() {
    m_health.connecting = false;
    m_health.connected = true;
    m_health.connectError.clear();
    m_health.lastGoodLook = m_clock.now();
    labEvent(QStringLiteral("info"),
             QStringLiteral("connected to %1; watching '%2'%3")
                 .arg(m_health.displayUrl, shownResource(),
                      m_readOnly ? QStringLiteral(", read-only") : QString()));
}

void RedisBackend::Impl::onConnectFailed(const std::string& message) {
    m_health.connecting = false;
    m_health.nextConnectAt = m_clock.now() + kReconnectInterval;
    const QString text = qstr(message);
    if (text != m_health.connectError)
        labError(QStringLiteral("cannot use Redis: ") + text);
    m_health.connectError = text;
}

void RedisBackend::Impl::onInfo(std::optional<double> opsPerSecond) {
    m_infoInFlight = false;
    if (opsPerSecond)
        m_opsPerSecond = *opsPerSecond;
}

void RedisBackend::Impl::onObserved(const ObservedState& s, TimePoint at) {
    const LabTime when = m_clock.at(at);
    m_health.lastGoodLook = std::max(m_health.lastGoodLook, when);
    m_observed = s;
    m_observedAt = when;
    noteHolder(s, when);

    std::set<std::string> seen;
    for (const MemberInfo& m : s.members) {
        seen.insert(m.id);
        RedisElector* r = m_electors.findByIdentity(m.id);
        if (!r && !roomForExternal(m.id))
            continue;
        if (!r)
            r = &add<ExternalElector>(qstr(m.id));
        // Another lab's thread elector of the same name would be a clash; ours wins (a thread
        // elector takes no presence entry).
        r->onMember(&m, when);
    }
    for (auto& r : m_electors)
        if (!seen.count(r->identityStd()))
            r->onMember(nullptr, when);
}

// A Store event when the lock changes hands (or is first seen).
void RedisBackend::Impl::noteHolder(const ObservedState& s, LabTime when) {
    std::optional<std::pair<std::string, std::uint64_t>> holder;
    if (s.holder)
        holder.emplace(s.holder->identity, s.holder->fence);
    if (m_holderSeen && holder == m_holder)
        return;
    m_holderSeen = true;
    m_holder = holder;
    LabEvent e;
    e.at = when;
    e.source = LabEvent::Source::Store;
    if (holder) {
        RedisElector* r = m_electors.findByIdentity(holder->first);
        e.name = QStringLiteral("holder");
        e.elector = r ? r->id() : -1;
        e.identity = qstr(holder->first);
        e.fence = holder->second;
    } else {
        e.name = QStringLiteral("free");
    }
    push(std::move(e));
}

void RedisBackend::Impl::onObserverError(const std::string& message, TimePoint at) {
    const QString text = qstr(message);
    if (message.rfind("member '", 0) == 0) {
        // Somebody else's bad entry: say so once, it is not an outage.
        if (m_reportedErrors.size() < kMaxRememberedErrors &&
            m_reportedErrors.insert(message).second)
            labError(QStringLiteral("ignored a presence entry: ") + text);
        return;
    }
    m_health.lookError = text;
    m_health.lookErrorAt = m_clock.at(at);
}

void RedisBackend::Impl::onChannelEvent(const std::string& json) {
    const std::optional<WireEvent> w = parseWire(json, m_clock);
    if (!w)
        return; // not an election event (control and release notices share the channel)
    RedisElector* r = m_electors.findByIdentity(w->id);
    if (r && r->kind() != ElectorKind::External)
        return; // the lab's own electors report themselves
    if (!r && !roomForExternal(w->id))
        return;
    if (!r) {
        auto& external = add<ExternalElector>(qstr(w->id));
        external.seenOnChannel(); // until its presence entry says otherwise
        r = &external;
    }
    r->apply(*w);
}

// ---- RedisBackend ---------------------------------------------------------------------------

RedisBackend::RedisBackend(QString url, QString resource, QString agentPath, QObject* parent)
    : Backend(parent)
    , m_impl(std::make_unique<Impl>(*this, std::move(url), std::move(resource),
                                    std::move(agentPath))) {}

RedisBackend::~RedisBackend() = default;

void RedisBackend::begin() {
    m_impl->begin();
}

void RedisBackend::setReadOnly(bool readOnly) {
    m_impl->setReadOnly(readOnly);
}

void RedisBackend::setAgentArguments(const QStringList& args) {
    m_impl->setAgentArguments(args);
}

QString RedisBackend::readOnlyReason() {
    return QStringLiteral("read-only watch: the lab writes nothing to Redis (connect without "
                          "\"watch only\" to act)");
}

void RedisBackend::act(const Action& action) {
    m_impl->act(action);
}

void RedisBackend::shutdown() {
    m_impl->shutdown();
}

} // namespace baton::lab
