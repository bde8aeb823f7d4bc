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

namespace redis_detail {
/// The Members script's arguments (its bounds), and its reply read (throws StoreError when
/// the reply is not one); `key` is the members key, for the messages.
std::vector<std::string> membersArgs();
MemberEntries memberEntries(const redisReply* reply, const std::string& key);
/// An error reply to `what` on `resource` in words with the way out (bad data, a missing
/// permission, a replica).
std::string errorText(const RedisUrl& url, const redisReply* reply, const std::string& resource,
                      const char* what, ScriptId script = ScriptCount);
} // namespace redis_detail

class RedisStore::Impl {
public:
    Impl(const std::string& text, RedisOptions options);

    /// Runs `args` on the command connection, connecting first if needed. Throws StoreError.
    redis_detail::Reply run(const std::vector<std::string>& args);
    /// EVALSHA of a script, loading it again if the server forgot it (NOSCRIPT).
    redis_detail::Reply eval(redis_detail::ScriptId id, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);

    /// One command of a pipeline: a script (keys, then args) or, with ScriptCount, plain args.
    struct Call {
        redis_detail::ScriptId script = redis_detail::ScriptCount;
        std::vector<std::string> keys, args;
    };
    /// Sends every call at once, then reads every reply (in order): one round trip. NOSCRIPT
    /// loads the scripts and runs the batch once more. Throws StoreError when the link fails.
    std::vector<redis_detail::Reply> pipeline(const std::vector<Call>& calls);

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
