#include "backend/redis_backend.h"

#include <baton/election/election.h>
#include <baton/redis/observer.h>
#include <baton/redis/presence.h>
#include <baton/redis/redis_store.h>
#include <baton/redis/redis_url.h>
#include <baton/store/fault_store.h>
#include <baton/store/locker.h>
#include <baton/wire/json.h>

#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTimer>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace baton::lab {

using namespace std::chrono_literals;

namespace {

constexpr Duration kLookInterval = 100ms;
// No good look at the store for this long: Redis does not answer (a look takes a few ms).
constexpr Duration kStaleAfter = 700ms;
constexpr Duration kInfoInterval = 500ms;
constexpr Duration kReconnectInterval = 1s;
constexpr Duration kRebuildInterval = 1s;
constexpr Duration kAgentGrace = 2s;
constexpr Duration kMaxFaultLength = std::chrono::hours(24); // what baton-agent accepts
constexpr Duration kMaxLatency = 10s;
constexpr qsizetype kMaxLineBytes = 64 * 1024;
constexpr std::size_t kInboxCap = 50'000;
constexpr std::size_t kMaxRememberedErrors = 200;

RedisOptions labRedisOptions() {
    RedisOptions o;
    o.connectTimeout = 1s;
    o.commandTimeout = 500ms; // as baton-agent: a stop finishes within a second
    o.reconnectBackoffMax = 2s;
    return o;
}

TimePoint steadyNow() {
    return SteadyClock::instance().now();
}

QString describe(const Timing& t) {
    return QStringLiteral("ttl %1, refresh %2, retry %3")
        .arg(qstr(formatDuration(t.ttl)), qstr(formatDuration(t.refreshInterval)),
             qstr(formatDuration(t.retryInterval)));
}

std::int64_t millis(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// Runs tasks one after another on a thread of its own: store calls and Election lifecycle
// calls, which may block for a command timeout, never run on the backend's thread.
class SerialWorker {
public:
    SerialWorker()
        : m_thread([this] { run(); }) {}
    /// Runs what is queued, then joins.
    ~SerialWorker() {
        {
            std::lock_guard guard(m_mutex);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    SerialWorker(const SerialWorker&) = delete;
    SerialWorker& operator=(const SerialWorker&) = delete;

    void post(std::function<void()> task) {
        {
            std::lock_guard guard(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_cv.notify_all();
    }

private:
    void run() {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_cv.wait(lock, [this] { return m_quit || !m_tasks.empty(); });
            if (m_tasks.empty())
                return;
            std::function<void()> task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks;
    bool m_quit = false;
    std::thread m_thread; // last: starts once the rest is built
};

// One thread elector's chain: Redis <- faults (partition, latency, counters) <- lock <- election.
struct ThreadParts {
    std::unique_ptr<RedisStore> redis;
    std::unique_ptr<FaultStore> faults;
    std::unique_ptr<Locker> locker;
    std::unique_ptr<Election> election;
};

// The side of a thread elector that its worker owns.
struct ThreadSlot {
    std::shared_ptr<ThreadParts> parts; // touched on the worker only
    SerialWorker worker;                // last: joined before the parts go
};

// The lab's own connection: the observer, control messages and INFO (worker only).
struct Link {
    std::unique_ptr<RedisStore> store;
    std::unique_ptr<Observer> observer;
    std::optional<std::uint64_t> commands; // total_commands_processed at the last INFO
    TimePoint commandsAt{};
    SerialWorker worker; // last
};

// What a store-side thread hands to the backend's thread: closures run at its next tick.
template <class Target>
class Inbox {
public:
    using Item = std::function<void(Target&)>;
    void post(Item item) {
        std::lock_guard guard(m_mutex);
        // Bounded: a backend thread that stalls must not let memory grow without end.
        if (m_items.size() >= kInboxCap) {
            ++m_dropped;
            return;
        }
        m_items.push_back(std::move(item));
    }
    std::vector<Item> take(std::uint64_t& dropped) {
        std::lock_guard guard(m_mutex);
        dropped = std::exchange(m_dropped, 0);
        return std::exchange(m_items, {});
    }
    void clear() {
        std::vector<Item> items;
        {
            std::lock_guard guard(m_mutex);
            items.swap(m_items);
        }
    }

private:
    std::mutex m_mutex;
    std::vector<Item> m_items;
    std::uint64_t m_dropped = 0;
};

// An election event as it arrives: from an Election callback, an agent's stdout or the
// resource's event channel.
struct WireEvent {
    std::string id;
    LabTime at{};
    std::string name;
    std::uint64_t fence = 0;
    LabTime deadline{};
    QString leader;
    QString detail;
};

enum class Life : quint8 { Running, Crashed, Stopped };
enum class Ending : quint8 { None, Kill, Stop };

struct ElectorRecord {
    int id = 0;
    QString identity;
    std::string identityStd;
    ElectorKind kind = ElectorKind::Thread;
    bool pollingOnly = false;
    bool controllable = true;
    bool removed = false;
    Life life = Life::Running;
    Timing timing;
    QString note;

    // From its events.
    bool leading = false;
    std::uint64_t fence = 0;
    LabTime leaseStart{};
    LabTime leaseEnd{};
    QString seenLeader;

    // Thread.
    std::shared_ptr<ThreadParts> parts; // read on the backend's thread once built
    std::unique_ptr<ThreadSlot> slot;
    bool building = false;
    QString buildError;
    LabTime nextBuildAt{};

    // Agent.
    QProcess* process = nullptr;
    QByteArray stdoutBuffer;
    QByteArray stderrBuffer;
    QString lastStderr;
    Ending ending = Ending::None;
    bool started = false;       // it printed "started"
    LabTime pausedUntil{};      // SIGSTOP until then (zero: not paused)
    LabTime partitionedUntil{}; // as the lab asked

    // Agent and external: the presence entry.
    std::optional<MemberInfo> member;
    bool present = false;
    bool sawStopped = false;
};

} // namespace

class RedisBackend::Impl {
public:
    Impl(RedisBackend& owner, QString url, QString resource, QString agentPath)
        : q(owner)
        , m_url(std::move(url))
        , m_resource(std::move(resource))
        , m_agentPath(std::move(agentPath))
        , m_urlStd(m_url.toStdString())
        , m_resourceStd(m_resource.toStdString())
        , m_displayUrl(qstr(redactUrl(m_urlStd))) {}

    ~Impl() {
        stopAll(false);
        // Closures may hold an elector's parts, whose callbacks hold the inbox.
        m_inbox->clear();
    }

    void begin();
    void act(const Action& a);
    void shutdown() { stopAll(true); }

    RedisBackend& q;
    const QString m_url;
    const QString m_resource;
    const QString m_agentPath;
    const std::string m_urlStd;
    const std::string m_resourceStd;
    const QString m_displayUrl;

private:
    using Item = Inbox<Impl>::Item;

    void stopAll(bool report);

    // Time.
    LabTime labNow() const { return steadyNow() - m_begin; }
    LabTime labTime(TimePoint t) const { return t - m_begin; }
    // Agents stamp Unix time: measured from now on both clocks, so that the wall clock's
    // adjustments since begin() do not shift it.
    LabTime fromUnixMs(double ms) const {
        const auto age = std::chrono::duration_cast<LabTime>(
            std::chrono::duration<double, std::milli>(unixMsNow() - ms));
        return std::max(LabTime{}, labNow() - age);
    }

    // The tick: inbox, due work, events, snapshot.
    void tick();
    void schedule(LabTime now);
    void flushEvents();
    ClusterSnapshot snapshot(LabTime now);
    ElectorView view(ElectorRecord& r, LabTime now);
    LockView lockView(LabTime now);
    QString storeStatus(LabTime now) const;
    bool storeFresh(LabTime now) const;

    // Events.
    void push(LabEvent e) { m_pending.push_back(std::move(e)); }
    void labEvent(const QString& name, const QString& detail);
    void labError(const QString& detail) { labEvent(QStringLiteral("error"), detail); }
    void fault(const ElectorRecord& r, const QString& name, bool wasLeader, LabTime until = {},
               const QString& detail = {});
    void refuse(const QString& why) { Q_EMIT q.actionRefused(why); }
    void applyElectorEvent(ElectorRecord& r, const WireEvent& w);
    std::optional<WireEvent> parseWire(const std::string& json) const;

    // Electors.
    ElectorRecord& addRecord(ElectorKind kind, const QString& identity);
    bool roomForExternal(const std::string& id);
    static constexpr long kMaxExternals = 200;
    bool m_externalsFull = false;
    ElectorRecord* find(int id);
    ElectorRecord* findByIdentity(const std::string& identity);
    std::unordered_map<std::string, int> m_byIdentity; // identity -> id (records stay)
    QString freeName(const QString& prefix, int& counter) const;
    bool believesLeader(const ElectorRecord& r, LabTime now) const;
    Timing timingOf(const ElectorRecord& r) const;
    bool checkLength(const Action& a);

    // Thread electors.
    void addThread(const Action& a);
    void build(ElectorRecord& r);
    void onWorker(ElectorRecord& r, std::function<void(ThreadParts&)> fn);
    void actThread(ElectorRecord& r, const Action& a);

    // Agents.
    void addAgent(const Action& a);
    void launchAgent(ElectorRecord& r);
    void onAgentOutput(int id);
    void onAgentError(int id);
    void onAgentFinished(int id, QProcess* process, int code, QProcess::ExitStatus status);
    void actAgent(ElectorRecord& r, const Action& a);

    // External agents and control messages.
    void actExternal(ElectorRecord& r, const Action& a);
    void sendControl(const ElectorRecord& r, const std::string& json);
    /// A control message for `r`: {"to": id, "cmd": cmd}, to add arguments to.
    static JsonWriter control(const ElectorRecord& r, const char* cmd);
    static JsonWriter timingControl(const ElectorRecord& r, const Timing& t);

    // The link.
    void connectLink();
    void pollInfo();
    void onConnected();
    void onConnectFailed(const std::string& message);
    void onObserved(const ObservedState& s, TimePoint at);
    void onObserverError(const std::string& message, TimePoint at);
    void onChannelEvent(const std::string& json);

    std::shared_ptr<Inbox<Impl>> m_inbox = std::make_shared<Inbox<Impl>>();
    std::unique_ptr<Link> m_link;
    QTimer* m_tick = nullptr;
    bool m_begun = false;
    bool m_shutDown = false;
    TimePoint m_begin{};
    QString m_urlError;

    bool m_connected = false;
    bool m_connecting = false;
    QString m_connectError;
    LabTime m_nextConnectAt{};
    LabTime m_lastGoodLook{};
    QString m_lookError;
    LabTime m_lookErrorAt{};
    bool m_outage = false;
    std::optional<ObservedState> m_observed;
    LabTime m_observedAt{};
    bool m_holderSeen = false;
    std::optional<std::pair<std::string, std::uint64_t>> m_holder;
    double m_opsPerSecond = 0;
    bool m_infoInFlight = false;
    LabTime m_nextInfoAt{};

    std::vector<std::unique_ptr<ElectorRecord>> m_electors; // index = id, never erased
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
    m_begin = steadyNow();
    try {
        (void)RedisUrl::parse(m_urlStd);
        labEvent(QStringLiteral("info"),
                 QStringLiteral("connecting to %1 for '%2'").arg(m_displayUrl, m_resource));
    } catch (const UrlError& e) {
        m_urlError = qstr(e.what());
        labError(m_urlError);
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
    if (m_link) {
        Link* link = m_link.get();
        link->worker.post([link] {
            if (link->observer)
                link->observer->stop();
        });
    }
    for (auto& r : m_electors) {
        if (r->slot) {
            ThreadSlot* s = r->slot.get();
            s->worker.post([s] {
                if (!s->parts)
                    return;
                s->parts->faults->delayFor(Duration{}, Duration{});
                s->parts->election->stop();
            });
        }
        if (r->process && r->process->state() != QProcess::NotRunning) {
            if (r->ending == Ending::None)
                r->ending = Ending::Stop;
            r->process->terminate();
            ::kill(pid_t(r->process->processId()), SIGCONT); // a stopped process takes no TERM
        }
    }
    const TimePoint graceEnd = steadyNow() + kAgentGrace;
    for (auto& r : m_electors) {
        if (!r->process || r->process->state() == QProcess::NotRunning)
            continue;
        const auto left = std::max<std::int64_t>(0, millis(graceEnd - steadyNow()));
        if (!r->process->waitForFinished(int(left))) {
            r->process->kill();
            r->process->waitForFinished(1000);
        }
    }
    for (auto& r : m_electors)
        r->slot.reset(); // joins: its stop has run
    m_link.reset();
    if (m_begun && report) {
        std::uint64_t dropped = 0;
        for (auto& item : m_inbox->take(dropped))
            item(*this);
        labEvent(QStringLiteral("info"), QStringLiteral("stopped everything the lab started"));
        flushEvents();
        Q_EMIT q.snapshotReady(snapshot(labNow()));
    }
}

// ---- the tick -------------------------------------------------------------------------------

void RedisBackend::Impl::tick() {
    std::uint64_t dropped = 0;
    for (auto& item : m_inbox->take(dropped))
        item(*this);
    if (dropped)
        labError(QStringLiteral("the lab fell behind and dropped %1 updates").arg(dropped));
    const LabTime now = labNow();
    schedule(now);
    // Outages are events once, when they begin and when they end; the status says the rest.
    const QString status = storeStatus(now);
    const bool down = !status.isEmpty() && m_connected;
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
    if (!m_urlError.isEmpty())
        return;
    if (!m_connected && !m_connecting && now >= m_nextConnectAt)
        connectLink();
    if (m_connected && !m_infoInFlight && now >= m_nextInfoAt)
        pollInfo();
    for (auto& r : m_electors) {
        if (r->kind == ElectorKind::Thread && !r->parts && !r->building && !r->removed &&
            now >= r->nextBuildAt)
            build(*r);
        if (r->kind == ElectorKind::Agent && r->pausedUntil > LabTime{} && now >= r->pausedUntil) {
            r->pausedUntil = {};
            if (r->process && r->process->state() != QProcess::NotRunning)
                ::kill(pid_t(r->process->processId()), SIGCONT);
        }
    }
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

bool RedisBackend::Impl::storeFresh(LabTime now) const {
    return m_connected && now - m_lastGoodLook <= kStaleAfter;
}

QString RedisBackend::Impl::storeStatus(LabTime now) const {
    if (!m_urlError.isEmpty())
        return m_urlError; // "bad Redis URL '...': why (the accepted forms)"
    if (!m_connected) {
        if (m_connectError.isEmpty())
            return QStringLiteral("Connecting to %1...").arg(m_displayUrl);
        if (m_connectError.contains(QStringLiteral("authentication failed")))
            return QStringLiteral("Redis refused the login: ") + m_connectError;
        return QStringLiteral("Redis not answering: ") + m_connectError;
    }
    if (storeFresh(now))
        return {};
    if (m_lookErrorAt > m_lastGoodLook)
        return QStringLiteral("Redis not answering: ") + m_lookError;
    return QStringLiteral("Redis not answering: no reply for %1 s")
        .arg(formatSeconds(now - m_lastGoodLook));
}

ClusterSnapshot RedisBackend::Impl::snapshot(LabTime now) {
    ClusterSnapshot s;
    s.now = now;
    s.simulated = false;
    s.paused = false;
    s.speed = 1.0;
    s.electors.reserve(qsizetype(m_electors.size()));
    for (auto& r : m_electors)
        s.electors.push_back(view(*r, now));
    s.lock = lockView(now);
    s.storeOpsPerSecond = storeFresh(now) ? m_opsPerSecond : 0;
    s.storeStatus = storeStatus(now);
    return s;
}

bool RedisBackend::Impl::believesLeader(const ElectorRecord& r, LabTime now) const {
    switch (r.kind) {
    case ElectorKind::Thread:
        return r.parts && r.parts->election->isLeader();
    case ElectorKind::Agent:
        return r.process && r.process->state() != QProcess::NotRunning && r.leading &&
               now < r.leaseEnd;
    case ElectorKind::External:
        return r.present && r.leading && now < r.leaseEnd;
    case ElectorKind::Simulated:
        break;
    }
    return false;
}

Timing RedisBackend::Impl::timingOf(const ElectorRecord& r) const {
    if (r.kind == ElectorKind::Thread && r.parts)
        return r.parts->election->timing();
    if (r.member)
        return {r.member->ttl, r.member->refresh, r.member->retry};
    return r.timing;
}

ElectorView RedisBackend::Impl::view(ElectorRecord& r, LabTime now) {
    ElectorView v;
    v.id = r.id;
    v.identity = r.identity;
    v.kind = r.kind;
    v.pollingOnly = r.pollingOnly;
    v.controllable = r.controllable && !r.removed;
    v.fence = r.fence;
    v.timing = timingOf(r);
    v.seenLeader = r.seenLeader;
    v.believesLeader = believesLeader(r, now);
    v.note = r.note;
    if (r.leading && v.believesLeader) {
        v.leaseStart = r.leaseStart;
        v.leaseEnd = r.leaseEnd;
    }
    // Not running: crashed, or stopped for any other reason.
    const ElectorState down =
        r.life == Life::Crashed ? ElectorState::Crashed : ElectorState::Stopped;
    switch (r.kind) {
    case ElectorKind::Thread: {
        if (!r.parts) {
            v.state = down;
            if (!r.removed)
                v.note = r.buildError.isEmpty()
                             ? QStringLiteral("connecting to Redis")
                             : QStringLiteral("waiting for Redis: ") + r.buildError;
            break;
        }
        Election& e = *r.parts->election;
        v.fence = e.fence();
        v.seenLeader = qstr(e.leader());
        v.latency = r.parts->faults->delayNow();
        const StoreCounters c = r.parts->faults->counters();
        v.storeCalls = c.acquireWon + c.acquireLost + c.acquireErrors + c.extendOk + c.extendLost +
                       c.extendErrors + c.releaseOk + c.releaseMissed + c.releaseErrors;
        if (!e.running()) {
            v.state = down;
        } else if (ElectionFaults::paused(e)) {
            v.state = ElectorState::Paused;
        } else if (r.parts->faults->partitioned()) {
            v.state = ElectorState::Partitioned;
        } else {
            v.state = v.believesLeader ? ElectorState::Leader : ElectorState::Follower;
        }
        if (e.running() && !v.believesLeader) {
            // A follower's arc: from its last try to its next one.
            const TimePoint wake = e.nextWake();
            if (wake != TimePoint::max()) {
                v.leaseEnd = labTime(wake);
                v.leaseStart = std::max(LabTime{}, v.leaseEnd - v.timing.retryInterval);
            }
        }
        break;
    }
    case ElectorKind::Agent: {
        const bool running = r.process && r.process->state() != QProcess::NotRunning;
        const std::string memberState = r.member ? r.member->state : std::string();
        if (!running)
            v.state = down;
        else if (r.pausedUntil > LabTime{} || memberState == "paused")
            v.state = ElectorState::Paused;
        else if (r.partitionedUntil > now || memberState == "partitioned")
            v.state = ElectorState::Partitioned;
        else
            v.state = v.believesLeader ? ElectorState::Leader : ElectorState::Follower;
        if (running && !r.started)
            v.note = QStringLiteral("starting");
        else if (running && r.pausedUntil > LabTime{})
            v.note =
                QStringLiteral("paused (SIGSTOP) until %1 s").arg(formatSeconds(r.pausedUntil));
        else if (running && r.partitionedUntil > now)
            v.note =
                QStringLiteral("partitioned until %1 s").arg(formatSeconds(r.partitionedUntil));
        break;
    }
    case ElectorKind::External: {
        if (!r.present) {
            v.state = r.sawStopped ? ElectorState::Stopped : ElectorState::Crashed;
            v.believesLeader = false;
            v.leaseStart = v.leaseEnd = {};
            v.note = r.sawStopped ? QStringLiteral("stopped")
                                  : QStringLiteral("gone: no heartbeat in its presence entry");
            break;
        }
        const std::string st = r.member ? r.member->state : std::string("follower");
        if (st == "paused")
            v.state = ElectorState::Paused;
        else if (st == "partitioned")
            v.state = ElectorState::Partitioned;
        else if (st == "stopped")
            v.state = ElectorState::Stopped;
        else
            v.state =
                v.believesLeader || st == "leader" ? ElectorState::Leader : ElectorState::Follower;
        if (r.member) {
            v.fence = std::max<quint64>(v.fence, r.member->fence);
            v.seenLeader = qstr(r.member->leader);
            v.note = QStringLiteral("pid %1 on %2%3")
                         .arg(r.member->pid)
                         .arg(qstr(r.member->host),
                              r.controllable ? QString()
                                             : QStringLiteral(" (watch only: no --allow-control)"));
        }
        break;
    }
    case ElectorKind::Simulated:
        break;
    }
    return v;
}

LockView RedisBackend::Impl::lockView(LabTime now) {
    LockView v;
    if (!storeFresh(now) || !m_observed)
        return v;
    v.known = true;
    if (!m_observed->holder)
        return v;
    const LockInfo& h = *m_observed->holder;
    v.holderIdentity = qstr(h.identity);
    v.fence = h.fence;
    v.expiresAt = m_observedAt + h.remaining;
    v.ttl = h.remaining;
    if (ElectorRecord* r = findByIdentity(h.identity)) {
        v.holder = r->id;
        v.ttl = std::max(v.ttl, timingOf(*r).ttl);
    }
    return v;
}

// ---- events ---------------------------------------------------------------------------------

void RedisBackend::Impl::labEvent(const QString& name, const QString& detail) {
    LabEvent e;
    e.at = m_begun ? labNow() : LabTime{};
    e.source = LabEvent::Source::Lab;
    e.name = name;
    e.detail = detail;
    push(std::move(e));
}

void RedisBackend::Impl::fault(const ElectorRecord& r, const QString& name, bool wasLeader,
                               LabTime until, const QString& detail) {
    LabEvent e;
    e.at = labNow();
    e.source = LabEvent::Source::Fault;
    e.elector = r.id;
    e.identity = r.identity;
    e.name = name;
    e.fence = r.kind == ElectorKind::Thread && r.parts ? r.parts->election->fence() : r.fence;
    e.until = until;
    e.wasLeader = wasLeader;
    e.detail = detail;
    const bool crashedLeader = wasLeader && name == QStringLiteral("crash");
    const quint64 fence = e.fence;
    push(LabEvent(e));
    if (crashedLeader)
        push(crashRevocation(e, fence));
}

std::optional<WireEvent> RedisBackend::Impl::parseWire(const std::string& json) const {
    try {
        const JsonObject o = JsonObject::parse(json);
        WireEvent w;
        w.id = o.string("id");
        w.name = o.string("event");
        if (w.id.empty() || w.name.empty())
            return std::nullopt;
        w.at = o.has("t") ? fromUnixMs(o.number("t")) : labNow();
        const double fence = o.number("fence", 0);
        if (fence >= 0 && fence <= 9007199254740992.0)
            w.fence = std::uint64_t(fence);
        if (o.has("deadline"))
            w.deadline = fromUnixMs(o.number("deadline"));
        w.leader = qstr(o.string("leader"));
        if (w.name == "leader-changed")
            w.detail = w.leader.isEmpty() ? QStringLiteral("no leader known")
                                          : QStringLiteral("leader ") + w.leader;
        else if (o.has("reason"))
            w.detail = qstr(o.string("reason"));
        return w;
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

void RedisBackend::Impl::applyElectorEvent(ElectorRecord& r, const WireEvent& w) {
    if (w.name == "elected" || w.name == "extended") {
        r.leading = true;
        r.fence = w.fence;
        r.leaseStart = w.at;
        r.leaseEnd = w.deadline;
        if (w.name == "elected")
            r.seenLeader = r.identity;
    } else if (w.name == "revoked" || w.name == "stopped") {
        r.leading = false;
        if (w.name == "stopped")
            r.sawStopped = true;
    } else if (w.name == "leader-changed") {
        r.seenLeader = w.leader;
    } else if (w.name == "started") {
        r.sawStopped = false;
        r.started = true;
    }
    LabEvent e;
    e.at = w.at;
    e.source = LabEvent::Source::Elector;
    e.elector = r.id;
    e.identity = r.identity;
    e.name = qstr(w.name);
    e.fence = w.fence;
    e.deadline = w.deadline;
    e.detail = w.detail;
    push(std::move(e));
}

// ---- electors -------------------------------------------------------------------------------

bool RedisBackend::Impl::roomForExternal(const std::string& id) {
    // Ids stay indices, so records are never erased: a cap keeps a long watch of agents that
    // come and go elsewhere (host-pid ids) bounded.
    const auto externals = std::count_if(m_electors.begin(), m_electors.end(), [](const auto& r) {
        return r->kind == ElectorKind::External;
    });
    if (externals < kMaxExternals)
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

ElectorRecord& RedisBackend::Impl::addRecord(ElectorKind kind, const QString& identity) {
    auto r = std::make_unique<ElectorRecord>();
    r->id = int(m_electors.size());
    r->kind = kind;
    r->identity = identity;
    r->identityStd = identity.toStdString();
    m_byIdentity.emplace(r->identityStd, r->id);
    m_electors.push_back(std::move(r));
    return *m_electors.back();
}

ElectorRecord* RedisBackend::Impl::find(int id) {
    if (id < 0 || std::size_t(id) >= m_electors.size())
        return nullptr;
    return m_electors[std::size_t(id)].get();
}

ElectorRecord* RedisBackend::Impl::findByIdentity(const std::string& identity) {
    // Looked up per snapshot and per member on every look: an index, not a scan.
    const auto it = m_byIdentity.find(identity);
    return it == m_byIdentity.end() ? nullptr : m_electors[std::size_t(it->second)].get();
}

// "lab-agent-N" with an N that nobody on this resource uses (another lab may watch it too).
QString RedisBackend::Impl::freeName(const QString& prefix, int& counter) const {
    while (true) {
        const QString name = prefix + QString::number(counter++);
        const std::string s = name.toStdString();
        const bool taken =
            m_byIdentity.count(s) > 0 ||
            (m_observed && std::any_of(m_observed->members.begin(), m_observed->members.end(),
                                       [&](const MemberInfo& m) { return m.id == s; }));
        if (!taken)
            return name;
    }
}

bool RedisBackend::Impl::checkLength(const Action& a) {
    if (a.duration > Duration{} && a.duration <= kMaxFaultLength)
        return true;
    refuse(QStringLiteral("%1 needs a duration above 0 and at most 24 h (got %2)")
               .arg(actionName(a.kind), qstr(formatDuration(a.duration))));
    return false;
}

void RedisBackend::Impl::act(const Action& a) {
    if (!m_begun || m_shutDown) {
        refuse(QStringLiteral("%1: the Redis backend is not running").arg(actionName(a.kind)));
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
        refuse(QStringLiteral("clock drift can only be simulated: real electors run on this "
                              "machine's clock"));
        return;
    case Action::Kind::KillLeader: {
        if (!storeFresh(labNow()) || !m_observed) {
            refuse(QStringLiteral("kill leader: the lock cannot be read now (%1)")
                       .arg(storeStatus(labNow())));
            return;
        }
        if (!m_observed->holder) {
            refuse(QStringLiteral("kill leader: nobody holds the lock"));
            return;
        }
        ElectorRecord* r = findByIdentity(m_observed->holder->identity);
        if (!r) {
            refuse(QStringLiteral("kill leader: the holder '%1' is not an elector the lab knows")
                       .arg(qstr(m_observed->holder->identity)));
            return;
        }
        Action kill = a;
        kill.kind = Action::Kind::Kill;
        kill.elector = r->id;
        if (r->kind == ElectorKind::External) {
            // Nobody here can SIGKILL another machine's process; one that obeys control can be
            // cut off from the store for longer than its lease, which fails over just the same.
            if (!r->controllable) {
                refuse(QStringLiteral("kill leader: %1 was started elsewhere without "
                                      "--allow-control")
                           .arg(r->identity));
                return;
            }
            kill.kind = Action::Kind::Partition;
            kill.duration = std::max<Duration>(2 * r->timing.ttl, std::chrono::seconds(10));
        }
        act(kill);
        return;
    }
    default:
        break;
    }
    ElectorRecord* r = find(a.elector);
    if (!r) {
        refuse(QStringLiteral("%1: there is no elector %2").arg(actionName(a.kind)).arg(a.elector));
        return;
    }
    if (r->removed) {
        refuse(QStringLiteral("%1: %2 was removed").arg(actionName(a.kind), r->identity));
        return;
    }
    if (a.kind == Action::Kind::SetTiming) {
        try {
            validate(a.timing);
        } catch (const ConfigError& e) {
            refuse(QStringLiteral("set timing: ") + qstr(e.what()));
            return;
        }
    }
    switch (r->kind) {
    case ElectorKind::Thread:
        actThread(*r, a);
        break;
    case ElectorKind::Agent:
        actAgent(*r, a);
        break;
    case ElectorKind::External:
        actExternal(*r, a);
        break;
    case ElectorKind::Simulated:
        break;
    }
}

// ---- thread electors ------------------------------------------------------------------------

void RedisBackend::Impl::addThread(const Action& a) {
    if (!m_urlError.isEmpty()) {
        refuse(QStringLiteral("add thread elector: no usable Redis URL (%1)").arg(m_urlError));
        return;
    }
    try {
        validate(a.timing);
    } catch (const ConfigError& e) {
        refuse(QStringLiteral("add thread elector: ") + qstr(e.what()));
        return;
    }
    ElectorRecord& r =
        addRecord(ElectorKind::Thread, freeName(QStringLiteral("lab-thread-"), m_nextThread));
    r.pollingOnly = a.pollingOnly;
    r.timing = a.timing;
    r.slot = std::make_unique<ThreadSlot>();
    labEvent(QStringLiteral("info"),
             QStringLiteral("added thread elector %1 (%2%3)")
                 .arg(r.identity, describe(a.timing),
                      a.pollingOnly ? QStringLiteral(", polling-only mode") : QString()));
    build(r);
}

void RedisBackend::Impl::build(ElectorRecord& r) {
    r.building = true;
    Config config;
    config.resource = m_resourceStd;
    config.identity = r.identityStd;
    config.timing = r.timing;
    config.pollingOnly = r.pollingOnly;
    const int id = r.id;
    std::shared_ptr<Inbox<Impl>> inbox = m_inbox;
    // Runs on the election's thread: it only hands the event over.
    config.onEvent = [inbox, id](const Event& e) {
        inbox->post([id, e](Impl& d) {
            ElectorRecord* rec = d.find(id);
            if (!rec)
                return;
            WireEvent w;
            w.id = rec->identityStd;
            w.at = d.labTime(e.at);
            w.name = std::string(eventName(e.type));
            w.fence = e.fence;
            if (e.type == EventType::Elected || e.type == EventType::Extended)
                w.deadline = d.labTime(e.deadline);
            w.leader = qstr(e.leader);
            w.detail = eventDetail(e);
            d.applyElectorEvent(*rec, w);
        });
    };
    ThreadSlot* s = r.slot.get();
    const std::string url = m_urlStd;
    s->worker.post([s, inbox, url, config, id] {
        try {
            auto p = std::make_shared<ThreadParts>();
            p->redis = std::make_unique<RedisStore>(url, labRedisOptions());
            p->faults = std::make_unique<FaultStore>(*p->redis);
            p->locker = std::make_unique<Locker>(*p->faults);
            p->election = std::make_unique<Election>(*p->locker, config);
            p->election->start();
            s->parts = p;
            inbox->post([id, p](Impl& d) {
                ElectorRecord* rec = d.find(id);
                if (!rec)
                    return;
                rec->building = false;
                rec->buildError.clear();
                if (rec->removed) {
                    d.onWorker(*rec, [](ThreadParts& parts) { parts.election->stop(); });
                    return;
                }
                rec->parts = p;
                rec->life = Life::Running;
            });
        } catch (const std::exception& e) {
            inbox->post([id, message = std::string(e.what())](Impl& d) {
                ElectorRecord* rec = d.find(id);
                if (!rec)
                    return;
                rec->building = false;
                rec->nextBuildAt = d.labNow() + kRebuildInterval;
                const QString text = qstr(message);
                if (text != rec->buildError)
                    d.labError(QStringLiteral("%1 cannot start: %2").arg(rec->identity, text));
                rec->buildError = text;
            });
        }
    });
}

void RedisBackend::Impl::onWorker(ElectorRecord& r, std::function<void(ThreadParts&)> fn) {
    ThreadSlot* s = r.slot.get();
    if (!s)
        return;
    std::shared_ptr<Inbox<Impl>> inbox = m_inbox;
    const QString who = r.identity;
    s->worker.post([s, inbox, who, fn = std::move(fn)] {
        if (!s->parts)
            return;
        try {
            fn(*s->parts);
        } catch (const std::exception& e) {
            inbox->post([who, message = std::string(e.what())](Impl& d) {
                d.labError(who + QStringLiteral(": ") + qstr(message));
            });
        }
    });
}

void RedisBackend::Impl::actThread(ElectorRecord& r, const Action& a) {
    if (!r.parts) {
        if (a.kind == Action::Kind::Remove) {
            r.removed = true;
            r.controllable = false;
            r.note = QStringLiteral("removed");
            fault(r, QStringLiteral("stop"), false, {}, QStringLiteral("removed"));
            return;
        }
        refuse(QStringLiteral("%1: %2 is not connected to Redis yet%3")
                   .arg(actionName(a.kind), r.identity,
                        r.buildError.isEmpty()
                            ? QString()
                            : QStringLiteral(" (") + r.buildError + QStringLiteral(")")));
        return;
    }
    Election& e = *r.parts->election;
    const bool leads = e.isLeader();
    const bool running = e.running();
    const LabTime now = labNow();
    auto needRunning = [&] {
        if (running)
            return true;
        refuse(QStringLiteral("%1: %2 is not running (start it first)")
                   .arg(actionName(a.kind), r.identity));
        return false;
    };
    switch (a.kind) {
    case Action::Kind::Kill:
        if (!needRunning())
            return;
        r.life = Life::Crashed;
        r.note = QStringLiteral("killed");
        onWorker(r, [](ThreadParts& p) {
            p.faults->delayFor(Duration{}, Duration{});
            ElectionFaults::kill(*p.election);
        });
        fault(r, QStringLiteral("crash"), leads);
        break;
    case Action::Kind::Stop:
        if (!needRunning())
            return;
        r.life = Life::Stopped;
        r.note = QStringLiteral("stopped");
        onWorker(r, [](ThreadParts& p) {
            p.faults->delayFor(Duration{}, Duration{});
            p.election->stop();
        });
        fault(r, QStringLiteral("stop"), leads);
        break;
    case Action::Kind::Start:
        if (running) {
            refuse(QStringLiteral("start: %1 is already running").arg(r.identity));
            return;
        }
        fault(r, r.life == Life::Crashed ? QStringLiteral("restart") : QStringLiteral("start"),
              false);
        r.life = Life::Running;
        r.note.clear();
        onWorker(r, [](ThreadParts& p) { p.election->start(); });
        break;
    case Action::Kind::Pause:
        if (!needRunning() || !checkLength(a))
            return;
        onWorker(r, [d = a.duration](ThreadParts& p) { ElectionFaults::pause(*p.election, d); });
        fault(r, QStringLiteral("pause"), leads, now + a.duration);
        break;
    case Action::Kind::Resume:
        if (!ElectionFaults::paused(e)) {
            refuse(QStringLiteral("resume: %1 is not paused").arg(r.identity));
            return;
        }
        onWorker(r, [](ThreadParts& p) { ElectionFaults::pause(*p.election, Duration{}); });
        fault(r, QStringLiteral("resume"), leads);
        break;
    case Action::Kind::Partition:
        if (!checkLength(a))
            return;
        onWorker(r, [d = a.duration](ThreadParts& p) { p.faults->partitionFor(d); });
        fault(r, QStringLiteral("partition"), leads, now + a.duration);
        break;
    case Action::Kind::Heal:
        if (!r.parts->faults->partitioned() && r.parts->faults->delayNow() == Duration{}) {
            refuse(QStringLiteral("heal: %1 is neither partitioned nor slowed").arg(r.identity));
            return;
        }
        onWorker(r, [](ThreadParts& p) {
            p.faults->partitionFor(Duration{});
            p.faults->delayFor(Duration{}, Duration{});
        });
        fault(r, QStringLiteral("heal"), leads);
        break;
    case Action::Kind::Latency:
        if (!checkLength(a))
            return;
        if (a.extra <= Duration{} || a.extra > kMaxLatency) {
            refuse(QStringLiteral("latency: the extra delay must be above 0 and at most 10 s "
                                  "(got %1)")
                       .arg(qstr(formatDuration(a.extra))));
            return;
        }
        onWorker(r, [x = a.extra, d = a.duration](ThreadParts& p) { p.faults->delayFor(x, d); });
        fault(r, QStringLiteral("latency"), leads, now + a.duration,
              QStringLiteral("+%1 each way").arg(qstr(formatDuration(a.extra))));
        break;
    case Action::Kind::SetTiming:
        r.timing = a.timing;
        onWorker(r, [t = a.timing](ThreadParts& p) { p.election->setTiming(t); });
        fault(r, QStringLiteral("timing"), leads, {}, describe(a.timing));
        break;
    case Action::Kind::Remove: {
        r.removed = true;
        r.controllable = false;
        r.life = Life::Stopped;
        r.note = QStringLiteral("removed");
        onWorker(r, [](ThreadParts& p) {
            p.faults->delayFor(Duration{}, Duration{});
            p.election->stop();
        });
        fault(r, QStringLiteral("stop"), leads, {}, QStringLiteral("removed"));
        break;
    }
    default:
        refuse(QStringLiteral("%1 does not apply to a thread elector").arg(actionName(a.kind)));
        break;
    }
}

// ---- agents ---------------------------------------------------------------------------------

void RedisBackend::Impl::addAgent(const Action& a) {
    if (!m_urlError.isEmpty()) {
        refuse(QStringLiteral("add agent: no usable Redis URL (%1)").arg(m_urlError));
        return;
    }
    const QFileInfo exe(m_agentPath);
    if (m_agentPath.isEmpty() || !exe.isFile() || !exe.isExecutable()) {
        refuse(QStringLiteral("add agent: baton-agent not found at '%1': build it (ninja "
                              "baton-agent) and give the lab its path")
                   .arg(m_agentPath));
        return;
    }
    try {
        validate(a.timing);
    } catch (const ConfigError& e) {
        refuse(QStringLiteral("add agent: ") + qstr(e.what()));
        return;
    }
    ElectorRecord& r =
        addRecord(ElectorKind::Agent, freeName(QStringLiteral("lab-agent-"), m_nextAgent));
    r.pollingOnly = a.pollingOnly;
    r.timing = a.timing;
    labEvent(QStringLiteral("info"),
             QStringLiteral("added agent %1 (%2%3)")
                 .arg(r.identity, describe(a.timing),
                      a.pollingOnly ? QStringLiteral(", polling-only mode") : QString()));
    launchAgent(r);
}

void RedisBackend::Impl::launchAgent(ElectorRecord& r) {
    if (r.process)
        r.process->deleteLater();
    auto* p = new QProcess(&q);
    r.process = p;
    r.life = Life::Running;
    r.ending = Ending::None;
    r.started = false;
    r.leading = false;
    r.note.clear();
    r.stdoutBuffer.clear();
    r.stderrBuffer.clear();
    r.pausedUntil = r.partitionedUntil = {};
    // The URL goes in the environment, not on the command line, where `ps` would show its
    // password to every user of the machine.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), m_url);
    p->setProcessEnvironment(env);
    QStringList args{QStringLiteral("--resource"),
                     m_resource,
                     QStringLiteral("--id"),
                     r.identity,
                     QStringLiteral("--allow-control"),
                     QStringLiteral("--verbose"),
                     QStringLiteral("--ttl"),
                     qstr(formatDuration(r.timing.ttl)),
                     QStringLiteral("--refresh"),
                     qstr(formatDuration(r.timing.refreshInterval)),
                     QStringLiteral("--retry"),
                     qstr(formatDuration(r.timing.retryInterval))};
    if (r.pollingOnly)
        args << QStringLiteral("--polling-only");
    p->setStandardInputFile(QProcess::nullDevice());
    const pid_t lab = ::getpid();
    // An agent must not outlive a lab that crashed (it forks from the backend's thread, which
    // lives until shutdown() has stopped the agents anyway).
    p->setChildProcessModifier([lab] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != lab)
            ::_exit(1);
    });
    const int id = r.id;
    QObject::connect(p, &QProcess::readyReadStandardOutput, &q, [this, id] { onAgentOutput(id); });
    QObject::connect(p, &QProcess::readyReadStandardError, &q, [this, id] { onAgentError(id); });
    QObject::connect(p, &QProcess::finished, &q,
                     [this, id, p](int code, QProcess::ExitStatus status) {
                         onAgentFinished(id, p, code, status);
                     });
    QObject::connect(p, &QProcess::errorOccurred, &q, [this, id, p](QProcess::ProcessError e) {
        ElectorRecord* rec = find(id);
        if (e != QProcess::FailedToStart || !rec || rec->process != p)
            return;
        rec->life = Life::Crashed;
        rec->note = QStringLiteral("could not start: ") + p->errorString();
        labError(QStringLiteral("%1 could not start: %2").arg(rec->identity, p->errorString()));
    });
    p->start(m_agentPath, args);
}

void RedisBackend::Impl::onAgentOutput(int id) {
    ElectorRecord* r = find(id);
    if (!r || !r->process)
        return;
    r->stdoutBuffer += r->process->readAllStandardOutput();
    qsizetype nl;
    while ((nl = r->stdoutBuffer.indexOf('\n')) >= 0) {
        const std::string line = r->stdoutBuffer.left(nl).toStdString();
        r->stdoutBuffer.remove(0, nl + 1);
        if (auto w = parseWire(line); w && w->id == r->identityStd)
            applyElectorEvent(*r, *w);
    }
    if (r->stdoutBuffer.size() > kMaxLineBytes)
        r->stdoutBuffer.clear(); // not an event line; keep memory bounded
}

void RedisBackend::Impl::onAgentError(int id) {
    ElectorRecord* r = find(id);
    if (!r || !r->process)
        return;
    r->stderrBuffer += r->process->readAllStandardError();
    qsizetype nl;
    while ((nl = r->stderrBuffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(r->stderrBuffer.left(nl)).trimmed();
        r->stderrBuffer.remove(0, nl + 1);
        if (!line.isEmpty())
            r->lastStderr = line.left(300);
    }
    if (r->stderrBuffer.size() > kMaxLineBytes)
        r->stderrBuffer.clear();
}

void RedisBackend::Impl::onAgentFinished(int id, QProcess* process, int code,
                                         QProcess::ExitStatus status) {
    ElectorRecord* r = find(id);
    if (!r || r->process != process)
        return;
    onAgentOutput(id);
    onAgentError(id);
    r->leading = false;
    r->pausedUntil = r->partitionedUntil = {};
    r->member.reset();
    const Ending ending = std::exchange(r->ending, Ending::None);
    if (ending == Ending::Kill) {
        r->life = Life::Crashed;
        r->note = QStringLiteral("killed (SIGKILL)");
    } else if (ending == Ending::Stop) {
        r->life = Life::Stopped;
        if (r->removed)
            r->note = QStringLiteral("removed");
        else if (status == QProcess::CrashExit) // SIGTERM came before it set up its handling
            r->note = QStringLiteral("stopped by signal %1").arg(code);
        else if (code == 0)
            r->note = QStringLiteral("stopped (SIGTERM)");
        else
            r->note = QStringLiteral("stopped; exited with code %1").arg(code);
    } else {
        r->life = status == QProcess::CrashExit || code != 0 ? Life::Crashed : Life::Stopped;
        r->note = status == QProcess::CrashExit ? QStringLiteral("died of a signal")
                                                : QStringLiteral("exited with code %1").arg(code);
        if (!r->lastStderr.isEmpty())
            r->note += QStringLiteral(": ") + r->lastStderr;
        if (!m_shutDown)
            labError(r->identity + QStringLiteral(" ") + r->note);
    }
}

void RedisBackend::Impl::actAgent(ElectorRecord& r, const Action& a) {
    const LabTime now = labNow();
    const bool running = r.process && r.process->state() != QProcess::NotRunning;
    const bool leads = believesLeader(r, now);
    const auto pid = running ? pid_t(r.process->processId()) : pid_t(0);
    auto needRunning = [&] {
        if (running)
            return true;
        refuse(QStringLiteral("%1: %2 is not running (start it first)")
                   .arg(actionName(a.kind), r.identity));
        return false;
    };
    switch (a.kind) {
    case Action::Kind::Kill:
        if (!needRunning())
            return;
        r.ending = Ending::Kill;
        r.pausedUntil = {};
        r.process->kill(); // SIGKILL
        fault(r, QStringLiteral("crash"), leads);
        break;
    case Action::Kind::Stop:
        if (!needRunning())
            return;
        r.ending = Ending::Stop;
        r.pausedUntil = {};
        r.process->terminate(); // SIGTERM: revoke, release, exit 0
        ::kill(pid, SIGCONT);
        fault(r, QStringLiteral("stop"), leads);
        break;
    case Action::Kind::Start:
        if (running) {
            refuse(QStringLiteral("start: %1 is already running").arg(r.identity));
            return;
        }
        fault(r, r.life == Life::Crashed ? QStringLiteral("restart") : QStringLiteral("start"),
              false);
        launchAgent(r);
        break;
    case Action::Kind::Pause:
        if (!needRunning() || !checkLength(a))
            return;
        ::kill(pid, SIGSTOP);
        r.pausedUntil = now + a.duration;
        fault(r, QStringLiteral("pause"), leads, r.pausedUntil, QStringLiteral("SIGSTOP"));
        break;
    case Action::Kind::Resume:
        if (!running || r.pausedUntil == LabTime{}) {
            refuse(QStringLiteral("resume: %1 is not paused").arg(r.identity));
            return;
        }
        ::kill(pid, SIGCONT);
        r.pausedUntil = {};
        fault(r, QStringLiteral("resume"), leads, {}, QStringLiteral("SIGCONT"));
        break;
    case Action::Kind::Partition:
        if (!needRunning() || !checkLength(a))
            return;
        sendControl(r, control(r, "partition").add("ms", millis(a.duration)).str());
        r.partitionedUntil = now + a.duration;
        fault(r, QStringLiteral("partition"), leads, r.partitionedUntil);
        break;
    case Action::Kind::Heal:
        if (!running || r.partitionedUntil <= now) {
            refuse(QStringLiteral("heal: %1 is not partitioned").arg(r.identity));
            return;
        }
        sendControl(r, control(r, "partition").add("ms", 0).str());
        r.partitionedUntil = {};
        fault(r, QStringLiteral("heal"), leads);
        break;
    case Action::Kind::SetTiming:
        if (!needRunning())
            return;
        sendControl(r, timingControl(r, a.timing).str());
        r.timing = a.timing;
        fault(r, QStringLiteral("timing"), leads, {}, describe(a.timing));
        break;
    case Action::Kind::Latency:
        refuse(QStringLiteral("latency: baton-agent has no latency control; pause or partition "
                              "it instead, or use a thread elector"));
        break;
    case Action::Kind::Remove:
        r.removed = true;
        r.controllable = false;
        r.note = QStringLiteral("removed");
        if (running) {
            r.ending = Ending::Stop;
            r.pausedUntil = {};
            r.process->terminate();
            ::kill(pid, SIGCONT);
        }
        fault(r, QStringLiteral("stop"), leads, {}, QStringLiteral("removed"));
        break;
    default:
        refuse(QStringLiteral("%1 does not apply to an agent").arg(actionName(a.kind)));
        break;
    }
}

// ---- external agents and control -------------------------------------------------------------

JsonWriter RedisBackend::Impl::control(const ElectorRecord& r, const char* cmd) {
    JsonWriter w;
    w.add("to", r.identityStd).add("cmd", cmd);
    return w;
}

JsonWriter RedisBackend::Impl::timingControl(const ElectorRecord& r, const Timing& t) {
    JsonWriter w = control(r, "set");
    w.add("ttl", millis(t.ttl))
        .add("refresh", millis(t.refreshInterval))
        .add("retry", millis(t.retryInterval));
    return w;
}

void RedisBackend::Impl::actExternal(ElectorRecord& r, const Action& a) {
    if (!r.controllable) {
        refuse(QStringLiteral("%1: %2 was started without --allow-control; the lab can only "
                              "watch it")
                   .arg(actionName(a.kind), r.identity));
        return;
    }
    if (!r.present) {
        refuse(QStringLiteral("%1: %2 is gone").arg(actionName(a.kind), r.identity));
        return;
    }
    const LabTime now = labNow();
    const bool leads = believesLeader(r, now);
    switch (a.kind) {
    case Action::Kind::Stop:
        sendControl(r, control(r, "stop").str());
        fault(r, QStringLiteral("stop"), leads);
        break;
    case Action::Kind::Pause:
        if (!checkLength(a))
            return;
        sendControl(r, control(r, "pause").add("ms", millis(a.duration)).str());
        fault(r, QStringLiteral("pause"), leads, now + a.duration);
        break;
    case Action::Kind::Resume:
        sendControl(r, control(r, "pause").add("ms", 0).str());
        fault(r, QStringLiteral("resume"), leads);
        break;
    case Action::Kind::Partition:
        if (!checkLength(a))
            return;
        sendControl(r, control(r, "partition").add("ms", millis(a.duration)).str());
        fault(r, QStringLiteral("partition"), leads, now + a.duration);
        break;
    case Action::Kind::Heal:
        sendControl(r, control(r, "partition").add("ms", 0).str());
        fault(r, QStringLiteral("heal"), leads);
        break;
    case Action::Kind::SetTiming:
        sendControl(r, timingControl(r, a.timing).str());
        fault(r, QStringLiteral("timing"), leads, {}, describe(a.timing));
        break;
    default:
        refuse(QStringLiteral("%1: %2 was started elsewhere; over its control channel the lab "
                              "can stop, pause, resume, partition, heal and retime it")
                   .arg(actionName(a.kind), r.identity));
        break;
    }
}

void RedisBackend::Impl::sendControl(const ElectorRecord& r, const std::string& json) {
    if (!m_link) {
        labError(QStringLiteral("cannot reach %1: not connected to Redis").arg(r.identity));
        return;
    }
    Link* link = m_link.get();
    std::shared_ptr<Inbox<Impl>> inbox = m_inbox;
    const std::string channel = RedisStore::key(m_resourceStd, "control");
    const QString who = r.identity;
    link->worker.post([link, inbox, channel, json, who] {
        try {
            if (!link->store)
                throw StoreError("not connected to Redis");
            link->store->publishChannel(channel, json);
        } catch (const StoreError& e) {
            inbox->post([who, message = std::string(e.what())](Impl& d) {
                d.labError(QStringLiteral("cannot reach %1: %2").arg(who, qstr(message)));
            });
        }
    });
}

// ---- the link -------------------------------------------------------------------------------

void RedisBackend::Impl::connectLink() {
    m_connecting = true;
    if (!m_link)
        m_link = std::make_unique<Link>();
    Link* link = m_link.get();
    std::shared_ptr<Inbox<Impl>> inbox = m_inbox;
    const std::string url = m_urlStd;
    const std::string resource = m_resourceStd;
    link->worker.post([link, inbox, url, resource] {
        try {
            auto store = std::make_unique<RedisStore>(url, labRedisOptions());
            Observer::Callbacks cb;
            cb.onState = [inbox](const ObservedState& s) {
                const TimePoint at = steadyNow();
                inbox->post([s, at](Impl& d) { d.onObserved(s, at); });
            };
            cb.onEvent = [inbox](const std::string& json) {
                inbox->post([json](Impl& d) { d.onChannelEvent(json); });
            };
            cb.onError = [inbox](const std::string& message) {
                const TimePoint at = steadyNow();
                inbox->post([message, at](Impl& d) { d.onObserverError(message, at); });
            };
            auto observer = std::make_unique<Observer>(*store, resource, cb, kLookInterval);
            observer->start();
            link->store = std::move(store);
            link->observer = std::move(observer);
            inbox->post([](Impl& d) { d.onConnected(); });
        } catch (const std::exception& e) {
            inbox->post([message = std::string(e.what())](Impl& d) { d.onConnectFailed(message); });
        }
    });
}

void RedisBackend::Impl::onConnected() {
    m_connecting = false;
    m_connected = true;
    m_connectError.clear();
    m_lastGoodLook = labNow();
    labEvent(QStringLiteral("info"),
             QStringLiteral("connected to %1; watching '%2'").arg(m_displayUrl, m_resource));
}

void RedisBackend::Impl::onConnectFailed(const std::string& message) {
    m_connecting = false;
    m_nextConnectAt = labNow() + kReconnectInterval;
    const QString text = qstr(message);
    if (text != m_connectError)
        labError(QStringLiteral("cannot use Redis: ") + text);
    m_connectError = text;
}

void RedisBackend::Impl::pollInfo() {
    m_infoInFlight = true;
    m_nextInfoAt = labNow() + kInfoInterval;
    Link* link = m_link.get();
    std::shared_ptr<Inbox<Impl>> inbox = m_inbox;
    link->worker.post([link, inbox] {
        std::optional<double> rate;
        try {
            const std::string text = link->store->info("stats");
            auto field = [&](const std::string& name) -> std::optional<double> {
                const auto at = text.find(name + ":");
                if (at == std::string::npos)
                    return std::nullopt;
                return std::strtod(text.c_str() + at + name.size() + 1, nullptr);
            };
            const TimePoint now = steadyNow();
            if (auto total = field("total_commands_processed")) {
                const auto count = std::uint64_t(*total);
                if (link->commands && count >= *link->commands && now > link->commandsAt)
                    rate = double(count - *link->commands) /
                           std::chrono::duration<double>(now - link->commandsAt).count();
                else
                    rate = field("instantaneous_ops_per_sec");
                link->commands = count;
                link->commandsAt = now;
            }
        } catch (const StoreError&) {
            // The observer reports the outage; the rate just stays unknown.
        }
        inbox->post([rate](Impl& d) {
            d.m_infoInFlight = false;
            if (rate)
                d.m_opsPerSecond = *rate;
        });
    });
}

void RedisBackend::Impl::onObserved(const ObservedState& s, TimePoint at) {
    const LabTime when = labTime(at);
    m_lastGoodLook = std::max(m_lastGoodLook, when);
    m_observed = s;
    m_observedAt = when;

    std::optional<std::pair<std::string, std::uint64_t>> holder;
    if (s.holder)
        holder.emplace(s.holder->identity, s.holder->fence);
    if (!m_holderSeen || holder != m_holder) {
        m_holderSeen = true;
        m_holder = holder;
        LabEvent e;
        e.at = when;
        e.source = LabEvent::Source::Store;
        if (holder) {
            ElectorRecord* r = findByIdentity(holder->first);
            e.name = QStringLiteral("holder");
            e.elector = r ? r->id : -1;
            e.identity = qstr(holder->first);
            e.fence = holder->second;
        } else {
            e.name = QStringLiteral("free");
        }
        push(std::move(e));
    }

    std::set<std::string> seen;
    for (const MemberInfo& m : s.members) {
        seen.insert(m.id);
        ElectorRecord* r = findByIdentity(m.id);
        if (!r && !roomForExternal(m.id))
            continue;
        if (!r)
            r = &addRecord(ElectorKind::External, qstr(m.id));
        if (r->kind == ElectorKind::Thread)
            continue; // another lab's elector of the same name would be a clash; ours wins
        r->member = m;
        if (r->kind == ElectorKind::External) {
            // Only a return clears a stop: a look that began before the entry was deleted may
            // come in after the "stopped" event.
            if (!r->present)
                r->sawStopped = false;
            r->present = true;
            r->controllable = m.control;
            r->pollingOnly = m.pollingOnly;
            r->timing = {m.ttl, m.refresh, m.retry};
            if (m.fence > r->fence)
                r->fence = m.fence;
            // Its events tell when it was elected; its entry tells that it leads now.
            if (m.state == "leader" && !r->leading) {
                r->leading = true;
                r->leaseStart = when;
                r->leaseEnd = when + m.ttl;
            }
        }
    }
    for (auto& r : m_electors)
        if (!seen.count(r->identityStd)) {
            if (r->kind == ElectorKind::External)
                r->present = false;
            if (r->kind == ElectorKind::Agent)
                r->member.reset();
        }
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
    m_lookError = text;
    m_lookErrorAt = labTime(at);
}

void RedisBackend::Impl::onChannelEvent(const std::string& json) {
    const std::optional<WireEvent> w = parseWire(json);
    if (!w)
        return; // not an election event (control and release notices share the channel)
    ElectorRecord* r = findByIdentity(w->id);
    if (r && r->kind != ElectorKind::External)
        return; // the lab's own electors report themselves
    if (!r && !roomForExternal(w->id))
        return;
    if (!r) {
        r = &addRecord(ElectorKind::External, qstr(w->id));
        r->controllable = false; // until its presence entry says otherwise
        r->present = true;
    }
    applyElectorEvent(*r, *w);
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

void RedisBackend::act(const Action& action) {
    m_impl->act(action);
}

void RedisBackend::shutdown() {
    m_impl->shutdown();
}

} // namespace baton::lab
