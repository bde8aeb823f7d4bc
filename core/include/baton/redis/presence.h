#pragma once
// Presence on Redis: each live elector keeps an entry in baton:{R}:members (refreshed every
// refresh interval, or carried by its election's calls: carryOn) and publishes its events on
// baton:{R}:events, so that observers see it.
// Each beat gives the entry an expiry one TTL ahead on the server's clock and prunes the
// entries of others that expired (RedisStore::heartbeat): a member killed without cleaning up
// is stale to readers within its TTL and deleted by the next beat of a survivor after that.
// The entry itself (MemberInfo) and the event lines are in baton/wire/.

#include "baton/base/clock.h"
#include "baton/election/event.h"
#include "baton/redis/redis_store.h"
#include "baton/wire/member.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace baton {

/// Keeps one elector's presence entry fresh and publishes its events, on a thread of its own
/// (so a slow or dead Redis never delays the election). Errors go to `onError`.
class Presence {
public:
    Presence(RedisStore& store, std::string resource, MemberInfo self,
             std::function<void(const std::string&)> onError = {});
    ~Presence();
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    /// From now on the entry rides on the election's own calls on `election` (the store its
    /// acquires and extends go to; RedisStore::carryPresence), alive for a TTL and kCarrySlack;
    /// this thread only writes it when it changes and when no call carried it for a TTL (a
    /// paused, partitioned or stopped election). A healthy follower's presence then costs no
    /// request of its own. Call it once, before the election starts.
    void carryOn(RedisStore& election);
    /// How much longer than a TTL a carried entry lives: a follower's next try comes a TTL
    /// (the holder's remaining time) and a round trip after its last.
    static constexpr Duration kCarrySlack = std::chrono::milliseconds(50);

    /// Changes the entry (under the lock) and writes it at once.
    void update(const std::function<void(MemberInfo&)>& change);
    /// Publishes `json` on baton:{R}:events, in order.
    void publish(std::string json);
    /// Writes what is queued, removes the entry and stops the thread.
    void leave();

private:
    void run();

    /// Writes `self` now (a heartbeat, and the carried copy).
    void beat(MemberInfo self, RedisStore* carrier);

    RedisStore& m_store;
    RedisStore* m_carrier = nullptr; // set once, before anything is carried
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
