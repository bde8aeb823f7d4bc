#pragma once
// The Redis backend's own connection: the core's Observer on the resource, control messages and
// INFO, on a worker of its own. What they find reaches a LinkListener through the inbox.

#include "backend/inbox.h"
#include "backend/lab_types.h"
#include "backend/serial_worker.h"

#include <baton/redis/observer.h>
#include <baton/redis/redis_store.h>

#include <QString>

#include <memory>
#include <optional>

namespace baton::lab {

/// The options of every connection the lab opens (as baton-agent's: a stop ends within a second).
RedisOptions labRedisOptions();

/// What the backend knows of how its link fares (it sets the fields), and what it tells.
struct LinkHealth {
    QString displayUrl; ///< the URL with its password hidden
    QString urlError;   ///< the URL does not parse: nothing is tried
    bool connected = false;
    bool connecting = false;
    QString connectError;
    LabTime nextConnectAt{};
    LabTime lastGoodLook{};
    QString lookError;
    LabTime lookErrorAt{};

    /// Connected, and a look at the store succeeded lately.
    bool fresh(LabTime now) const;
    /// Empty while fresh; else what is wrong ("Redis not answering: ...").
    QString status(LabTime now) const;
};

/// Hears from a RedisLink on the backend's thread (when it runs the inbox); outlives the inbox.
class LinkListener {
public:
    virtual void onConnected() = 0;
    virtual void onConnectFailed(const std::string& message) = 0;
    virtual void onObserved(const ObservedState& s, TimePoint at) = 0;
    virtual void onObserverError(const std::string& message, TimePoint at) = 0;
    /// A message on the resource's event channel (events, control, release notices).
    virtual void onChannelEvent(const std::string& json) = 0;
    /// Store commands per second since the last INFO; nullopt: unknown.
    virtual void onInfo(std::optional<double> opsPerSecond) = 0;
    virtual void onControlFailed(const QString& who, const std::string& message) = 0;

protected:
    ~LinkListener() = default;
};

class RedisLink {
public:
    RedisLink(std::shared_ptr<Inbox> inbox, LinkListener& listener, std::string url,
              std::string resource);
    /// Runs what is queued (a connect may take a connect timeout), then closes.
    ~RedisLink();
    RedisLink(const RedisLink&) = delete;
    RedisLink& operator=(const RedisLink&) = delete;

    /// Before connect(): a read-only watch, whose connect first checks that the user may read
    /// the resource and SUBSCRIBE (a refusal names the permission and the watcher's ACL line).
    void setWatchOnly(bool on) { m_watchOnly = on; }
    /// Connects and starts observing; onConnected or onConnectFailed follows.
    void connect();
    /// Asks Redis for its command count; onInfo follows. Only once connected.
    void pollInfo();
    /// Publishes `json` on the control channel; onControlFailed follows a failure.
    void publishControl(const QString& who, std::string json);
    /// Stops observing (without waiting).
    void stop();

private:
    void connectNow();
    std::optional<double> commandRate();

    const std::shared_ptr<Inbox> m_inbox;
    LinkListener* const m_listener;
    const std::string m_url;
    const std::string m_resource;
    bool m_watchOnly = false; // set before the first connect()
    // Worker only.
    std::unique_ptr<RedisStore> m_store;
    std::unique_ptr<Observer> m_observer;
    std::optional<std::uint64_t> m_commands; // total_commands_processed at the last INFO
    TimePoint m_commandsAt{};
    SerialWorker m_worker; // last
};

} // namespace baton::lab
