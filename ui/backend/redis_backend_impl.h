#pragma once
// The Redis backend's coordinator, shared by its two source files: redis_backend.cpp (the
// lifecycle, the tick, the link) and redis_backend_actions.cpp (electors and actions).

#include "backend/redis_backend.h"

#include "backend/redis_agent_elector.h"
#include "backend/redis_external_elector.h"
#include "backend/redis_link.h"
#include "backend/redis_roster.h"
#include "backend/redis_thread_elector.h"

#include <baton/base/text.h>
#include <baton/redis/redis_url.h>

#include <QTimer>

#include <algorithm>
#include <set>

namespace baton::lab {

// Limits of the backend (inline: both source files see one of each).
inline constexpr Duration kInfoInterval = std::chrono::milliseconds(500);
inline constexpr Duration kReconnectInterval = std::chrono::seconds(1);
inline constexpr Duration kAgentGrace = std::chrono::seconds(2);
inline constexpr std::size_t kMaxRememberedErrors = 200;
// Ids stay indices, so electors are never erased: a cap keeps a long watch of agents that come
// and go elsewhere (host-pid ids) bounded.
inline constexpr long kMaxExternals = 200;

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
    void setAgentArguments(QStringList args) { m_agentArgs = std::move(args); }
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
    /// The resource's name for a log line (somebody else's text: control characters escaped).
    QString shownResource() const { return qstr(visible(m_resourceStd, 200)); }
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
    /// The store's holder, or nullptr after refusing `what` with the reason.
    RedisElector* holderFor(const QString& what);
    void resignLeader(const Action& a);
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
    QStringList m_agentArgs; ///< RedisBackend::setAgentArguments
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
    std::vector<std::pair<int, LabTime>> m_comeBack; ///< crashed electors to start, and when

    RedisRoster m_electors;
    bool m_externalsFull = false;
    int m_nextThread = 1;
    int m_nextAgent = 1;
    QVector<LabEvent> m_pending;
    LabTime m_lastEventAt{};
    std::set<std::string> m_reportedErrors;
};

template <class T, class... Args>
T& RedisBackend::Impl::add(const QString& identity, Args&&... args) {
    auto r = std::make_unique<T>(*this, m_electors.nextId(), identity, std::forward<Args>(args)...);
    T& ref = *r;
    m_electors.add(std::move(r));
    return ref;
}

} // namespace baton::lab
