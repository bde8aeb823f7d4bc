#pragma once
// Presence on Redis: each live elector keeps an entry in baton:{R}:members (refreshed every
// refresh interval) and publishes its events on baton:{R}:events, so that observers see it.

#include "baton/base/clock.h"
#include "baton/election/event.h"
#include "baton/redis/redis_store.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace baton {

/// One elector as its presence entry describes it.
struct MemberInfo {
    std::string id;
    std::string state = "follower"; ///< follower, leader, paused, partitioned, stopped
    std::uint64_t fence = 0;
    std::string leader; ///< who it believes leads
    Duration ttl{}, refresh{}, retry{};
    bool pollingOnly = false;
    bool control = false; ///< obeys commands on baton:{R}:control (agent --allow-control)
    std::string host;
    std::int64_t pid = 0;
    double seenMs = 0; ///< Unix time in ms of the last heartbeat

    std::string toJson() const;
    /// Throws std::invalid_argument for text that is not a member entry.
    static MemberInfo fromJson(const std::string& id, const std::string& json);
};

/// Unix time in milliseconds (fractional) of `at` on `clock`.
double unixMs(TimePoint at, const Clock& clock = SteadyClock::instance());
double unixMsNow();

/// The JSON line of an event: t, id, resource, event, and fence / deadline / leader / reason /
/// message where they apply.
std::string eventJson(const Event& e, const std::string& id, const std::string& resource,
                      const Clock& clock = SteadyClock::instance());

/// Keeps one elector's presence entry fresh and publishes its events, on a thread of its own
/// (so a slow or dead Redis never delays the election). Errors go to `onError`.
class Presence {
public:
    Presence(RedisStore& store, std::string resource, MemberInfo self,
             std::function<void(const std::string&)> onError = {});
    ~Presence();
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    /// Changes the entry (under the lock) and writes it at once.
    void update(const std::function<void(MemberInfo&)>& change);
    /// Publishes `json` on baton:{R}:events, in order.
    void publish(std::string json);
    /// Writes what is queued, removes the entry and stops the thread.
    void leave();

private:
    void run();

    RedisStore& m_store;
    const std::string m_resource;
    std::function<void(const std::string&)> m_onError;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    MemberInfo m_self;
    bool m_dirty = true;
    bool m_leaving = false;
    std::deque<std::string> m_queue;
    std::thread m_thread;
};

} // namespace baton
