#pragma once
// The Redis store's inside (used by redis_store.cpp and redis_access.cpp): the command
// connection under a mutex, reconnecting with backoff, the scripts' SHAs, the subscriber.

#include "redis_connection.h"
#include "redis_scripts.h"
#include "redis_subscriber.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace baton {

class RedisStore::Impl {
public:
    Impl(const std::string& text, RedisOptions options);

    /// Runs `args` on the command connection, connecting first if needed. Throws StoreError.
    redis_detail::Reply run(const std::vector<std::string>& args);
    /// EVALSHA of a script, loading it again if the server forgot it (NOSCRIPT).
    redis_detail::Reply eval(redis_detail::ScriptId id, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);

    std::string endpoint() const { return m_url.redacted(); }
    const RedisUrl& url() const { return m_url; }
    const RedisOptions& options() const { return m_options; }
    redis_detail::SubscriberThread& subscriber();

private:
    void connect();
    void loadScripts();
    void ensureConnected();
    [[noreturn]] void lose(const std::string& why);

    const RedisUrl m_url;
    const RedisOptions m_options;
    std::mutex m_mutex;
    redis_detail::Context m_ctx;
    std::string m_shas[redis_detail::ScriptCount];
    TimePoint m_nextTry{};
    Duration m_backoff = m_options.reconnectBackoffMin;
    std::string m_lastError;
    std::mutex m_subscriberMutex;
    std::unique_ptr<redis_detail::SubscriberThread> m_subscriber;
};

} // namespace baton
