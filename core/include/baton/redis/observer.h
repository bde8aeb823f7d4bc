#pragma once
// Watches one resource on a Redis: the true holder and its remaining TTL, every live elector
// (from baton:{R}:members) and the event stream (baton:{R}:events). Runs a thread of its own;
// callbacks run on it (or on the subscription's thread for events) and must be quick.

#include "baton/redis/presence.h"
#include "baton/redis/redis_store.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace baton {

struct ObservedState {
    std::optional<LockInfo> holder;  ///< as the store sees it
    std::vector<MemberInfo> members; ///< live ones, by id
    double atMs = 0;                 ///< Unix ms of this look
};

class Observer {
public:
    struct Callbacks {
        std::function<void(const ObservedState&)> onState;    ///< after every look
        std::function<void(const std::string& json)> onEvent; ///< every published event
        std::function<void(const MemberInfo&)> onMemberJoined;
        std::function<void(const std::string& id)> onMemberGone;
        std::function<void(const std::string& message)> onError;
    };

    /// Looks every `interval` (and at once on a release notice or a stopped event). A member
    /// counts as gone when its entry is deleted, or past the expiry the server wrote in it
    /// ("exp": a TTL after its last beat, a little more when its election's calls carry it);
    /// an entry without one (an older agent's) when its last heartbeat is older than
    /// (ttl + refresh) / 2: later than any live member's, sooner than its lock's TTL.
    Observer(RedisStore& store, std::string resource, Callbacks callbacks,
             Duration interval = std::chrono::milliseconds(100));
    ~Observer();
    Observer(const Observer&) = delete;
    Observer& operator=(const Observer&) = delete;

    void start();
    void stop();
    ObservedState state() const;

    /// Whether `m` is alive at Unix time `nowMs` by the rule above.
    static bool alive(const MemberInfo& m, double nowMs);

private:
    void run();
    void look();

    RedisStore& m_store;
    const std::string m_resource;
    Callbacks m_callbacks;
    const Duration m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_quit = false;
    bool m_poke = false;
    ObservedState m_state;
    std::map<std::string, MemberInfo> m_known;
    Subscription m_subscription;
    std::thread m_thread;
};

} // namespace baton
