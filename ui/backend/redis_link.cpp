#include "backend/redis_link.h"

#include "backend/lab_clock.h"

#include <baton/redis/resource_directory.h>

#include <cstdlib>

namespace baton::lab {

using namespace std::chrono_literals;

namespace {

constexpr Duration kLookInterval = 100ms;
// No good look at the store for this long: Redis does not answer (a look takes a few ms).
constexpr Duration kStaleAfter = 700ms;

} // namespace

RedisOptions labRedisOptions() {
    RedisOptions o;
    o.connectTimeout = 1s;
    o.commandTimeout = 500ms; // as baton-agent: a stop finishes within a second
    o.reconnectBackoffMax = 2s;
    return o;
}

bool LinkHealth::fresh(LabTime now) const {
    return connected && now - lastGoodLook <= kStaleAfter;
}

QString LinkHealth::status(LabTime now) const {
    if (!urlError.isEmpty())
        return urlError; // "bad Redis URL '...': why (the accepted forms)"
    if (!connected) {
        if (connectError.isEmpty())
            return QStringLiteral("Connecting to %1...").arg(displayUrl);
        if (connectError.contains(QStringLiteral("authentication failed")))
            return QStringLiteral("Redis refused the login: ") + connectError;
        return QStringLiteral("Redis not answering: ") + connectError;
    }
    if (fresh(now))
        return {};
    if (lookErrorAt > lastGoodLook)
        return QStringLiteral("Redis not answering: ") + lookError;
    return QStringLiteral("Redis not answering: no reply for %1 s")
        .arg(formatSeconds(now - lastGoodLook));
}

RedisLink::RedisLink(std::shared_ptr<Inbox> inbox, LinkListener& listener, std::string url,
                     std::string resource)
    : m_inbox(std::move(inbox))
    , m_listener(&listener)
    , m_url(std::move(url))
    , m_resource(std::move(resource)) {}

RedisLink::~RedisLink() = default;

void RedisLink::connect() {
    m_worker.post([this] { connectNow(); });
}

void RedisLink::connectNow() {
    // What is posted must not point at the link: the inbox may run after it is gone.
    const std::shared_ptr<Inbox> inbox = m_inbox;
    LinkListener* l = m_listener;
    try {
        auto store = std::make_unique<RedisStore>(m_url, labRedisOptions());
        if (m_watchOnly)
            ResourceDirectory(*store).checkWatch(m_resource);
        Observer::Callbacks cb;
        cb.onState = [inbox, l](const ObservedState& s) {
            const TimePoint at = steadyNow();
            inbox->post([l, s, at] { l->onObserved(s, at); });
        };
        cb.onEvent = [inbox, l](const std::string& json) {
            inbox->post([l, json] { l->onChannelEvent(json); });
        };
        cb.onError = [inbox, l](const std::string& message) {
            const TimePoint at = steadyNow();
            inbox->post([l, message, at] { l->onObserverError(message, at); });
        };
        auto observer = std::make_unique<Observer>(*store, m_resource, cb, kLookInterval);
        observer->start();
        m_store = std::move(store);
        m_observer = std::move(observer);
        inbox->post([l] { l->onConnected(); });
    } catch (const std::exception& e) {
        inbox->post([l, message = std::string(e.what())] { l->onConnectFailed(message); });
    }
}

void RedisLink::pollInfo() {
    m_worker.post([this] {
        std::optional<double> rate = commandRate();
        m_inbox->post([l = m_listener, rate] { l->onInfo(rate); });
    });
}

std::optional<double> RedisLink::commandRate() {
    std::optional<double> rate;
    try {
        const std::string text = m_store->info("stats");
        auto field = [&](const std::string& name) -> std::optional<double> {
            const auto at = text.find(name + ":");
            if (at == std::string::npos)
                return std::nullopt;
            return std::strtod(text.c_str() + at + name.size() + 1, nullptr);
        };
        const TimePoint now = steadyNow();
        if (auto total = field("total_commands_processed")) {
            const auto count = std::uint64_t(*total);
            if (m_commands && count >= *m_commands && now > m_commandsAt)
                rate = double(count - *m_commands) /
                       std::chrono::duration<double>(now - m_commandsAt).count();
            else
                rate = field("instantaneous_ops_per_sec");
            m_commands = count;
            m_commandsAt = now;
        }
    } catch (const StoreError&) {
        // The observer reports the outage; the rate just stays unknown.
    }
    return rate;
}

void RedisLink::publishControl(const QString& who, std::string json) {
    m_worker.post([this, who, json = std::move(json)] {
        try {
            if (!m_store)
                throw StoreError("not connected to Redis");
            m_store->publishChannel(RedisStore::key(m_resource, "control"), json);
        } catch (const StoreError& e) {
            m_inbox->post([l = m_listener, who, message = std::string(e.what())] {
                l->onControlFailed(who, message);
            });
        }
    });
}

void RedisLink::stop() {
    m_worker.post([this] {
        if (m_observer)
            m_observer->stop();
    });
}

} // namespace baton::lab
