#include "backend/redis_backend.h"

#include "backend/redis_agent_elector.h"
#include "backend/redis_external_elector.h"
#include "backend/redis_link.h"
#include "backend/redis_roster.h"
#include "backend/redis_thread_elector.h"

#include <baton/redis/redis_url.h>

#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <set>

namespace baton::lab {

using namespace std::chrono_literals;

namespace {

constexpr Duration kInfoInterval = 500ms;
constexpr Duration kReconnectInterval = 1s;
constexpr Duration kAgentGrace = 2s;
constexpr std::size_t kMaxRememberedErrors = 200;
// Ids stay indices, so electors are never erased: a cap keeps a long watch of agents that come
// and go elsewhere (host-pid ids) bounded.
constexpr long kMaxExternals = 200;

} // namespace

// The coordinator: the electors (by id and identity), the link, the tick that turns what they
// report into events and snapshots, and the dispatch of actions.
class RedisBackend::Impl final : public RedisHost, public LinkListener {
public:
    Impl(RedisBackend& owner, QString url, QString resource, QString agentPath)
        : q(owner)
        , m_url(std::move(url))
        , m_resource(std::move(resource))
        , m_agentPath(std::move(agentPath))
        , m_urlStd(m_url.toStdString())
        , m_resourceStd(m_resource.toStdString()) {
        m_health.displayUrl = qstr(redactUrl(m_urlStd));
    }

    ~Impl() {
        stopAll(false);
        // Closures may hold an elector's parts, whose callbacks hold the inbox.
        m_inbox->clear();
    }

    void begin();
    void act(const Action& a);
    void setReadOnly(bool readOnly) {
        if (!m_begun)
            m_readOnly = readOnly;
    }
    void shutdown() { stopAll(true); }

    // RedisHost
    const LabClock& clock() const override { return m_clock; }
    void push(LabEvent e) override { m_pending.push_back(std::move(e)); }
    void labError(const QString& detail) override { labEvent(QStringLiteral("error"), detail); }
    void sendControl(const QString& who, const std::string& json) override;
    bool shuttingDown() const override { return m_shutDown; }

    // LinkListener
    void onConnected() override;
    void onConnectFailed(const std::string& message) override;
    void onObserved(const ObservedState& s, TimePoint at) override;
    void onObserverError(const std::string& message, TimePoint at) override;
    void onChannelEvent(const std::string& json) override;
    void onInfo(std::optional<double> opsPerSecond) override;
    void onControlFailed(const QString& who, const std::string& message) override;

private:
    void stopAll(bool report);
    void drainInbox();

    // The tick: inbox, due work, events, snapshot.
    void tick();
    void schedule(LabTime now);
    void flushEvents();
    ClusterSnapshot snapshot(LabTime now);
    LockView lockView(LabTime now);
    void noteHolder(const ObservedState& s, LabTime when);

    void labEvent(const QString& name, const QString& detail);
    void refuse(const QString& why) { Q_EMIT q.actionRefused(why); }
    /// Refuses with `why` if there is one.
    bool refused(const std::optional<QString>& why) {
        if (why)
            refuse(*why);
        return why.has_value();
    }

    // Electors.
    template <class T, class... Args>
    T& add(const QString& identity, Args&&... args);
    bool roomForExternal(const std::string& id);
    QString freeName(const QString& prefix, int& counter) const;
    std::optional<QString> noUrl(const QString& what) const;
    static std::optional<QString> badTiming(const QString& what, const Timing& t);
    std::optional<QString> noAgentProgram() const;
    /// Logs that elector `r` of `kind` ("agent", ...) joined, with the timing it runs.
    void added(const QString& kind, const RedisElector& r, const Action& a);
    void addThread(const Action& a);
    void addAgent(const Action& a);
    void killLeader(const Action& a);
    void actOn(const Action& a);

    RedisBackend& q;
    const QString m_url;
    const QString m_resource;
    const QString m_agentPath;
    const std::string m_urlStd;
    const std::string m_resourceStd;

    std::shared_ptr<Inbox> m_inbox = std::make_shared<Inbox>();
    std::unique_ptr<RedisLink> m_link;
    QTimer* m_tick = nullptr;
    bool m_begun = false;
    bool m_shutDown = false;
    bool m_readOnly = false;
    LabClock m_clock;
    LinkHealth m_health;
    bool m_outage = false;
    std::optional<ObservedState> m_observed;
    LabTime m_observedAt{};
    bool m_holderSeen = false;
    std::optional<std::pair<std::string, std::uint64_t>> m_holder;
    double m_opsPerSecond = 0;
    bool m_infoInFlight = false;
    LabTime m_nextInfoAt{};

    RedisRoster m_electors;
    bool m_externalsFull = false;
    int m_nextThread = 1;
    int m_nextAgent = 1;
    QVector<LabEvent> m_pending;
    LabTime m_lastEventAt{};
    std::set<std::string> m_reportedErrors;
};

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
                     .arg(m_health.displayUrl, m_resource,
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
        if (!m_link)
            m_link = std::make_unique<RedisLink>(m_inbox, *this, m_urlStd, m_resourceStd);
        m_link->connect();
    }
    if (m_health.connected && !m_infoInFlight && now >= m_nextInfoAt) {
        m_infoInFlight = true;
        m_nextInfoAt = now + kInfoInterval;
        m_link->pollInfo();
    }
    for (auto& r : m_electors)
        r->tick(now);
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

// ---- electors -------------------------------------------------------------------------------

template <class T, class... Args>
T& RedisBackend::Impl::add(const QString& identity, Args&&... args) {
    auto r = std::make_unique<T>(*this, m_electors.nextId(), identity, std::forward<Args>(args)...);
    T& ref = *r;
    m_electors.add(std::move(r));
    return ref;
}

bool RedisBackend::Impl::roomForExternal(const std::string& id) {
    if (m_electors.count(ElectorKind::External) < kMaxExternals)
        return true;
    if (!m_externalsFull) {
        m_externalsFull = true;
        labEvent(QStringLiteral("error"),
                 QStringLiteral("more than %1 electors started elsewhere: '%2' and later ones "
                                "are not shown (reconnect to start over)")
                     .arg(kMaxExternals)
                     .arg(qstr(id)));
    }
    return false;
}

// "lab-agent-N" with an N that nobody on this resource uses (another lab may watch it too).
QString RedisBackend::Impl::freeName(const QString& prefix, int& counter) const {
    while (true) {
        const QString name = prefix + QString::number(counter++);
        const std::string s = name.toStdString();
        const bool taken =
            m_electors.findByIdentity(s) ||
            (m_observed && std::any_of(m_observed->members.begin(), m_observed->members.end(),
                                       [&](const MemberInfo& m) { return m.id == s; }));
        if (!taken)
            return name;
    }
}

std::optional<QString> RedisBackend::Impl::noUrl(const QString& what) const {
    if (m_health.urlError.isEmpty())
        return std::nullopt;
    return QStringLiteral("%1: no usable Redis URL (%2)").arg(what, m_health.urlError);
}

std::optional<QString> RedisBackend::Impl::badTiming(const QString& what, const Timing& t) {
    try {
        validate(t);
    } catch (const ConfigError& e) {
        return QString(what + QStringLiteral(": ") + qstr(e.what()));
    }
    return std::nullopt;
}

void RedisBackend::Impl::addThread(const Action& a) {
    const QString what = QStringLiteral("add thread elector");
    if (refused(noUrl(what)) || refused(badTiming(what, a.timing)))
        return;
    auto& r = add<ThreadElector>(freeName(QStringLiteral("lab-thread-"), m_nextThread), m_inbox,
                                 m_urlStd, m_resourceStd, a.timing, a.pollingOnly);
    added(QStringLiteral("thread elector"), r, a);
    r.build();
}

void RedisBackend::Impl::addAgent(const Action& a) {
    const QString what = QStringLiteral("add agent");
    if (refused(noUrl(what)) || refused(noAgentProgram()) || refused(badTiming(what, a.timing)))
        return;
    auto& r = add<AgentElector>(freeName(QStringLiteral("lab-agent-"), m_nextAgent), q, m_url,
                                m_resource, m_agentPath, a.timing, a.pollingOnly);
    added(QStringLiteral("agent"), r, a);
    r.launch();
}

std::optional<QString> RedisBackend::Impl::noAgentProgram() const {
    const QFileInfo exe(m_agentPath);
    if (!m_agentPath.isEmpty() && exe.isFile() && exe.isExecutable())
        return std::nullopt;
    return QStringLiteral("add agent: baton-agent not found at '%1': build it (ninja "
                          "baton-agent) and give the lab its path")
        .arg(m_agentPath);
}

void RedisBackend::Impl::added(const QString& kind, const RedisElector& r, const Action& a) {
    labEvent(QStringLiteral("info"),
             QStringLiteral("added %1 %2 (%3%4)")
                 .arg(kind, r.identity(), describe(a.timing),
                      a.pollingOnly ? QStringLiteral(", polling-only mode") : QString()));
}

// ---- actions --------------------------------------------------------------------------------

void RedisBackend::Impl::act(const Action& a) {
    if (!m_begun || m_shutDown) {
        refuse(QStringLiteral("%1: the Redis backend is not running").arg(actionName(a.kind)));
        return;
    }
    if (m_readOnly) {
        refuse(actionName(a.kind) + QStringLiteral(": ") + RedisBackend::readOnlyReason());
        return;
    }
    switch (a.kind) {
    case Action::Kind::AddThread:
        addThread(a);
        return;
    case Action::Kind::AddAgent:
        addAgent(a);
        return;
    case Action::Kind::Drift:
        refuse(RedisElector::noDrift());
        return;
    case Action::Kind::KillLeader:
        killLeader(a);
        return;
    default:
        actOn(a);
        return;
    }
}

void RedisBackend::Impl::killLeader(const Action& a) {
    const LabTime now = m_clock.now();
    if (!m_health.fresh(now) || !m_observed) {
        refuse(QStringLiteral("kill leader: the lock cannot be read now (%1)")
                   .arg(m_health.status(now)));
        return;
    }
    if (!m_observed->holder) {
        refuse(QStringLiteral("kill leader: nobody holds the lock"));
        return;
    }
    RedisElector* r = m_electors.findByIdentity(m_observed->holder->identity);
    if (!r) {
        refuse(QStringLiteral("kill leader: the holder '%1' is not an elector the lab knows")
                   .arg(qstr(m_observed->holder->identity)));
        return;
    }
    const std::variant<Action, QString> kill = r->leaderKill(a);
    if (const QString* why = std::get_if<QString>(&kill))
        refuse(*why);
    else
        act(std::get<Action>(kill));
}

void RedisBackend::Impl::actOn(const Action& a) {
    RedisElector* r = m_electors.find(a.elector);
    if (!r) {
        refuse(QStringLiteral("%1: there is no elector %2").arg(actionName(a.kind)).arg(a.elector));
        return;
    }
    if (r->removed()) {
        refuse(QStringLiteral("%1: %2 was removed").arg(actionName(a.kind), r->identity()));
        return;
    }
    if (a.kind == Action::Kind::Timing &&
        refused(badTiming(QStringLiteral("set timing"), a.timing)))
        return;
    const LabTime now = m_clock.now();
    if (!refused(r->whyNot(a, now)))
        r->act(a, now);
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
                 .arg(m_health.displayUrl, m_resource,
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
