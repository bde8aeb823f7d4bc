#pragma once
// A Store on a Redis server (hiredis), so that electors in many processes and on many machines
// share one lock.
//
// Keys of a resource R (the hash tag keeps them in one Redis Cluster slot; a name that starts
// with '}' would make the tag empty, so it is written escaped: baton:%{%7Db}:lock for "}b"):
//   baton:{R}:lock    the holder: {"id":..., "fence":N, "token":...} with a TTL (redis-cli GET)
//   baton:{R}:fence   the fencing counter
//   baton:{R}:events  pub/sub channel: release notices ({"event":"released",...}) and events
//   baton:{R}:members presence of live electors (a hash: id -> JSON, see presence.h)
//   baton:{R}:control commands to agents started with --allow-control
// Each primitive is one Lua script, loaded once per connection (SCRIPT LOAD) and called with
// EVALSHA; a NOSCRIPT answer (the server restarted) loads it again and retries once.
//
// Fences survive data loss: a new fence is max(INCR baton:{R}:fence, the server's time in
// microseconds, the highest fence this store has seen on R + 1). A Redis that restarts empty
// therefore still issues fences above every earlier one, as long as its clock does not go back
// and fewer than a million terms a second were issued; and a replica promoted after it missed
// the last writes, with its clock behind, still issues fences above every one an elector saw
// there (its own terms, the holders its tries met, release notices). An acquire whose fence is
// not above that is refused (released, and a StoreError). (An epoch key would be lost with the
// data it was meant to outlive.)
//
// What is read back is bounded: a lock value longer than Baton writes (64 KiB), a holder id
// over 1 KiB or a presence entry over 16 KiB never leaves the server; the call says so instead.
// A missing permission (ACL) or a replica is found at start by checkElectionAccess(), and said
// with the command and the way out whenever a call meets it later.
//
// Cluster (redis-cluster://): each call goes to the primary of its resource's slot (the map is
// read with CLUSTER SLOTS, again on a MOVED answer or a lost connection); an ASK answer (a slot
// being moved) is tried once on the node named, after ASKING. Notices use sharded pub/sub
// (SPUBLISH in the scripts, SSUBSCRIBE on the slot's primary, subscribed again where the slot
// went when it moves).
//
// Sentinel (redis-sentinel://): the sentinels are asked for the primary at each connect, and its
// ROLE is checked, so a replica is never written to; a lost connection, a READONLY answer (the
// primary was demoted; the call is made once more on the new one) or a +switch-master notice
// from a sentinel makes it ask again.
//
// With minReplicas, a lock that the primary took or extended counts only once WAIT says that many
// replicas have it: a failover in between (asynchronous replication) could otherwise promote a
// replica without it, and a second leader would be elected while the first still leads.
//
// Threads: one connection for commands, used under a mutex (calls from many threads are
// serialised, one at a time); one connection for subscriptions, owned by a thread of its own.
// A lost connection is re-made on a later call, with capped exponential backoff; calls made in
// the meantime fail fast with a StoreError that says when the next try is.

#include "baton/redis/redis_url.h"
#include "baton/store/store.h"

#include <memory>
#include <utility>
#include <vector>

namespace baton {

struct RedisOptions {
    Duration connectTimeout = std::chrono::seconds(2); ///< per connection attempt
    Duration commandTimeout = std::chrono::seconds(1); ///< per command (a reply must come)
    Duration reconnectBackoffMin = std::chrono::milliseconds(100);
    Duration reconnectBackoffMax = std::chrono::seconds(5);
    /// Sentinel: hear the sentinels' +switch-master notices and move to the new primary at once.
    /// Off, the store moves only when a call fails (a lost connection, a READONLY answer).
    bool watchFailovers = true;
    /// Replica acknowledgement: an acquire or extend counts only once this many replicas have
    /// it (WAIT minReplicas replicaTimeout); fewer by then make the call fail (a follower tries
    /// again, a leader's deadline is not moved). 0: no wait, as plain Redis replication.
    int minReplicas = 0;
    Duration replicaTimeout = std::chrono::milliseconds(250);
    /// A quiet subscription connection is probed after this long (at least the command
    /// timeout), so that a dead one is re-made and its notices heard again: by a PING, answered
    /// within the command timeout; or, with tcpKeepAlive, by TCP keep-alive probes alone (3,
    /// a third of this apart: a dead link is dropped within twice this), which cost the server
    /// no request at all. A closed connection (a server restart) is seen at once either way.
    Duration keepAlive = std::chrono::seconds(1);
    bool tcpKeepAlive = false;
};

/// A resource's presence entries as read, bounded: nothing longer than Baton writes is read.
struct MemberEntries {
    std::vector<std::pair<std::string, std::string>> entries; ///< id -> entry (JSON)
    std::vector<std::string> refused; ///< what was not read and why (too long, too many)
    double serverMs = 0;              ///< the server's Unix ms at the read
};

class RedisStore final : public Store {
public:
    /// Parses `url` (throws UrlError) and connects, logs in, selects the db and loads the
    /// scripts (throws StoreError naming the server and the problem, never the password).
    explicit RedisStore(const std::string& url, RedisOptions options = {});
    ~RedisStore() override;

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;

    /// One lock call of a batch.
    struct LockCall {
        enum class Kind { Acquire, Extend, Release };
        Kind kind = Kind::Acquire;
        std::string resource, token, identity; ///< identity: Acquire only
        Duration ttl{};                        ///< Acquire, Extend
    };
    /// What became of one: the answer (acquire, or held for extend and release), or an error.
    struct LockAnswer {
        AcquireReply acquire;
        bool held = false;
        std::optional<std::string> error;
    };
    /// Many elections' lock calls in one round trip (pipelined on the command connection),
    /// answered in order, each exactly as acquire(), extend() or release() would (presence
    /// carried as there). A lost link fails every call of the batch; it is re-made on the next.
    std::vector<LockAnswer> lockBatch(const std::vector<LockCall>& calls);

    /// Checks with harmless real calls that an election on `resource` may do all it needs
    /// here: run Baton's scripts on the resource's keys and write them (not on a replica),
    /// PUBLISH and SUBSCRIBE on its channels. Throws StoreError naming what is missing and the
    /// way out (the ACL SETUSER line that grants it, or: point the URL at the primary).
    void checkElectionAccess(const std::string& resource);

    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;

    /// Plain values (the seed's cache). A ttl of zero means no expiry.
    std::optional<std::string> get(const std::string& key);
    void set(const std::string& key, const std::string& value, Duration ttl);
    bool del(const std::string& key);

    /// Raw pub/sub on any channel (for presence and control messages).
    Subscription subscribeChannel(const std::string& channel,
                                  std::function<void(const std::string& payload)> fn);
    void publishChannel(const std::string& channel, const std::string& payload);

    /// Hash fields (presence: baton:{R}:members).
    void hset(const std::string& key, const std::string& field, const std::string& value);
    bool hdel(const std::string& key, const std::string& field);
    std::vector<std::pair<std::string, std::string>> hgetall(const std::string& key);
    /// Writes `id`'s presence entry (JSON of a MemberInfo, without "exp") of `resource` with an
    /// expiry `life` from now on the server's clock, and prunes the entries of others that
    /// expired (members that died without cleaning up). Returns how many were pruned.
    int heartbeat(const std::string& resource, const std::string& id, const std::string& entry,
                  Duration life);
    /// Presence carried by the election's own calls: from now on every acquire and extend on
    /// `resource` also writes `entry` (as for heartbeat(); its "seen" and "exp" stamped by the
    /// server) as `id`'s presence entry, alive for `life`, in the same script: a healthy
    /// elector's presence then costs no request of its own. Called again, it replaces the
    /// entry. Needs HSET, HSCAN and HDEL on baton:{R}:members (as heartbeat() does).
    void carryPresence(const std::string& resource, const std::string& id, const std::string& entry,
                       Duration life);
    /// Stops carrying the entry of `resource` (it is left as it is).
    void dropPresence(const std::string& resource);
    /// When a call that carried the entry of `resource` was last answered (TimePoint{}: never).
    TimePoint presenceCarriedAt(const std::string& resource) const;
    /// The presence entries of `resource` (baton:{R}:members), at most 1000, none longer than
    /// Baton writes: what is left out is said in `refused`.
    MemberEntries members(const std::string& resource);

    /// The text of INFO `section` ("stats", "server", ...): the server's own figures.
    std::string info(const std::string& section);

    /// The server as a URL without the password (with Sentinel: the sentinels, and the primary
    /// now).
    std::string endpoint() const;

    /// The highest fence this store has seen on `resource` (0: none): every fence it accepts
    /// from an acquire is above it.
    std::uint64_t highestFenceSeen(const std::string& resource) const;

    /// The Redis key or channel of a resource: kind is "lock", "fence", "events", ... Every
    /// key of one resource lands in one Cluster slot, whatever its name.
    static std::string key(const std::string& resource, const std::string& kind);
    /// The Redis Cluster hash slot of `key` (0..16383), as CLUSTER KEYSLOT computes it.
    static int clusterSlot(const std::string& key);

    class Impl;

private:
    friend class ResourceDirectory; // reads many keys in one pipelined round trip

    /// The fence floor: an acquired fence must be above `floor` (the highest this store saw on
    /// `resource` before the call) unless it is a retry of `floorToken`'s term; refused and
    /// released otherwise. Every fence seen raises the floor.
    AcquireReply checkFloor(const std::string& resource, const std::string& token,
                            std::uint64_t floor, const std::string& floorToken, AcquireReply reply);

    std::unique_ptr<Impl> m_impl;
    struct Carried;
    std::unique_ptr<Carried> m_carried; // the presence entries carried by acquire and extend
};

/// $REDIS_URL if set and not empty, else redis://127.0.0.1:6379.
std::string defaultRedisUrl();

} // namespace baton
