#pragma once
// The Redis store's inside (used by redis_store.cpp and redis_access.cpp): the command
// connection under a mutex, reconnecting with backoff, the scripts' SHAs, the subscriber; with
// Sentinel, the primary looked up again on a lost connection, a READONLY answer or a failover
// notice; with Cluster, each call sent to its slot's primary (MOVED and ASK followed).

#include "cluster_slots.h"
#include "redis_access.h"
#include "redis_connection.h"
#include "redis_scripts.h"
#include "redis_subscriber.h"

#include <atomic>
#include <map>
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
                      const char* what, ScriptId script = ScriptCount,
                      Access access = Access::Election);
} // namespace redis_detail

class RedisStore::Impl {
public:
    Impl(const std::string& text, RedisOptions options);

    /// Runs `args` on the command connection, connecting first if needed. Throws StoreError.
    redis_detail::Reply run(const std::vector<std::string>& args);
    /// EVALSHA of a script, loading it again if the server forgot it (NOSCRIPT).
    redis_detail::Reply eval(redis_detail::ScriptId id, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);
    /// eval(), then, when `wrote(reply)` and options().minReplicas > 0, WAIT on the same
    /// connection under the same lock (another connection's WAIT would confirm nothing): throws
    /// StoreError, saying `what`, when fewer replicas acknowledged in time.
    redis_detail::Reply evalAcknowledged(redis_detail::ScriptId id,
                                         const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args,
                                         bool (*wrote)(const redisReply*), const char* what);

    /// One command of a pipeline: a script (keys, then args) or, with ScriptCount, plain args.
    struct Call {
        redis_detail::ScriptId script = redis_detail::ScriptCount;
        std::vector<std::string> keys, args;
    };
    /// Sends every call at once, then reads every reply (in order): one round trip. NOSCRIPT
    /// loads the scripts and runs the batch once more. Throws StoreError when the link fails.
    std::vector<redis_detail::Reply> pipeline(const std::vector<Call>& calls);

    std::string endpoint() const;
    /// The URL as given (a redis-sentinel:// one names no server of its own).
    const RedisUrl& url() const { return m_url; }
    /// The server commands go to: the URL's, or the primary the sentinels named last.
    RedisUrl target() const;
    const RedisOptions& options() const { return m_options; }
    /// The subscription connection that hears `channel` (with Cluster: one per slot, on the
    /// slot's primary, with SSUBSCRIBE).
    redis_detail::SubscriberThread& subscriber(const std::string& channel);
    /// PUBLISH, or SPUBLISH with Cluster (sharded pub/sub: the message stays in its shard).
    const char* publishVerb() const { return m_url.cluster ? "SPUBLISH" : "PUBLISH"; }
    const char* subscribeVerb() const { return m_url.cluster ? "SSUBSCRIBE" : "SUBSCRIBE"; }

    /// The highest fence seen on `resource` (0: none) and the token of the term that had it
    /// when it was this store's own.
    struct SeenFence {
        std::uint64_t fence = 0;
        std::string token;
    };
    SeenFence seenFence(const std::string& resource) const;
    /// Remembers `fence` (of `token`, when it is this store's term) if it is the highest yet.
    void sawFence(const std::string& resource, std::uint64_t fence, const std::string& token = {});

private:
    void connect();
    void loadScripts();
    void ensureConnected();
    [[noreturn]] void lose(const std::string& why);
    // Runs `send` (one command) on the command connection under m_mutex; with Sentinel, a
    // READONLY answer (the primary was demoted) looks the primary up again and runs it once more.
    // With Cluster, on the primary of `slot` (-1: any), following MOVED and ASK.
    template <typename Send>
    redis_detail::Reply runOnPrimary(int slot, Send send);
    template <typename Send>
    redis_detail::Reply followRedirects(int slot, redis_detail::Reply r, Send& send);
    // Cluster, under m_mutex: park the connection when `slot` is another node's; make the
    // connection to `node` the current one (an idle one, or a new one).
    void route(int slot);
    void useNode(const RedisHost& node);
    void connectCluster();
    void refreshSlots();
    RedisUrl slotPrimary(int slot) const; // asks the nodes afresh (the subscriber's reconnects)
    redis_detail::Reply evalOnce(redis_detail::ScriptId id, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args);
    void awaitReplicas(const char* what);
    RedisUrl lookUpPrimary(std::size_t& next) const;
    void watchFailovers();
    void onFailover();

    const RedisUrl m_url;
    const RedisOptions m_options;
    std::mutex m_mutex;
    redis_detail::Context m_ctx;
    std::string m_shas[redis_detail::ScriptCount];
    TimePoint m_nextTry{};
    Duration m_backoff = m_options.reconnectBackoffMin;
    std::string m_lastError;
    std::size_t m_nextSentinel = 0; // under m_mutex
    mutable std::mutex m_targetMutex;
    RedisUrl m_target; // under m_targetMutex
    // Failover notices seen (bumped by the watcher's thread) and handled (under m_mutex).
    std::atomic<std::uint64_t> m_failovers{0};
    std::uint64_t m_failoversHandled = 0;
    mutable std::mutex m_fencesMutex;
    std::map<std::string, SeenFence> m_fences; // bounded: see sawFence()
    // Cluster, under m_mutex: the slot map, the slot of the call under way, the connections to
    // other nodes not in use now (one a primary), and the scripts' text (SPUBLISH, not PUBLISH).
    redis_detail::SlotMap m_slots;
    bool m_slotsStale = false;
    int m_slot = -1;
    std::size_t m_nextNode = 0;
    std::map<std::string, redis_detail::Context> m_idle;
    std::string m_scripts[redis_detail::ScriptCount];
    std::mutex m_subscriberMutex;
    std::unique_ptr<redis_detail::SubscriberThread> m_subscriber;
    std::map<int, std::unique_ptr<redis_detail::SubscriberThread>> m_shardSubscribers;
    // Last: it calls onFailover(), which touches the members above, until it is gone.
    std::unique_ptr<redis_detail::SubscriberThread> m_failoverWatch;
    Subscription m_failoverSubscription;
};

} // namespace baton
