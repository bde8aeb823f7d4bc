#pragma once
// Every lock on a Redis at a glance: a cursor-based, paced SCAN (never KEYS) over Baton's lock
// and presence keys, and over other libraries' locks matched by key pattern (read, never
// written). One call reads one pass; nothing here runs a thread of its own.

#include "baton/redis/redis_store.h"
#include "baton/wire/member.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace baton {

/// One resource (or one foreign lock) as one pass read it.
struct ResourceInfo {
    std::string name;            ///< the resource; for a foreign lock, its key
    std::string key;             ///< the lock's Redis key
    bool foreign = false;        ///< matched by a foreign pattern: somebody else's lock, read-only
    std::string holder;          ///< who holds it; empty when free
    std::uint64_t fence = 0;     ///< the term's fence (0 when free or foreign)
    std::optional<Duration> ttl; ///< the lock's remaining PTTL; nullopt when free or no expiry
    std::vector<MemberInfo> members;   ///< live presence entries, by id (expired ones left out)
    std::size_t expiredMembers = 0;    ///< entries read but past their expiry (not yet pruned)
    std::optional<double> termStartMs; ///< Unix ms the holder's term began, when known
    std::string error; ///< what could not be read of it, in words; empty when all was
    bool held() const { return !holder.empty(); }
};

struct DirectoryOptions {
    /// Key patterns (SCAN MATCH syntax, e.g. "leader:*", "*:lock") whose keys are read as
    /// locks: the holder is a string key's value, or a hash key's field (Redisson-style
    /// {holder: reentry count}); the TTL is the key's PTTL.
    std::vector<std::string> foreignPatterns;
    std::size_t scanCount = 500;      ///< COUNT hint per SCAN call
    Duration pause{};                 ///< between SCAN calls, so a pass never hogs the server
    std::size_t maxResources = 10000; ///< a pass stops there and says so in `errors`
};

/// What one pass found, sorted by name (Baton's resources before foreign locks).
struct DirectoryPass {
    std::vector<ResourceInfo> resources;
    std::vector<std::string> errors; ///< pass-wide problems (a pattern refused, a cut-off)
    std::size_t scanCalls = 0;       ///< SCAN calls made
    std::size_t readCalls = 0;       ///< other commands sent (pipelined)
    double atMs = 0;                 ///< the server's Unix ms when the reads began
};

/// Reads passes over a store's server. Calls are serialised on the store's command connection.
class ResourceDirectory {
public:
    explicit ResourceDirectory(RedisStore& store, DirectoryOptions options = {});

    /// One full pass. Throws StoreError only when the server cannot be asked at all (down, or
    /// SCAN refused); bad data of a resource goes into its `error`.
    DirectoryPass scan();
    /// One Baton resource, read without a scan (what `status` shows). Throws like scan().
    ResourceInfo read(const std::string& resource);
    /// Another library's lock at `key`, read as scan() reads the keys of a foreign pattern
    /// (what a watched lock's tab polls); a missing key is a free lock. Throws like scan().
    ResourceInfo readLock(const std::string& key);
    /// Whether this user may watch `resource`: read its lock and members, and SUBSCRIBE to its
    /// events. Throws StoreError naming what was refused, with the read-only watcher's ACL
    /// line as the way out.
    void checkWatch(const std::string& resource);

    const DirectoryOptions& options() const { return m_options; }

private:
    RedisStore& m_store;
    DirectoryOptions m_options;
};

namespace directory {

/// The resource whose key of `kind` ("lock", "members", ...) `key` is, if it is one of
/// Baton's (the inverse of RedisStore::key).
std::optional<std::string> resourceOfKey(const std::string& key, const std::string& kind);

/// What the server returned for one Baton resource, before decoding.
struct RawResource {
    std::optional<std::string> lockValue; ///< nullopt: no lock key
    std::string lockError;                ///< the lock could not be read (too long, WRONGTYPE)
    std::int64_t pttl = -2;               ///< PTTL of the lock key
    std::vector<std::pair<std::string, std::string>> members; ///< id -> entry JSON
    std::vector<std::string> refused;                         ///< entries not read, and why
    double serverMs = 0;                                      ///< the server's Unix ms at the read
    double readerMs = 0;                                      ///< this host's Unix ms at the read
};

/// What the server returned for one foreign key.
struct RawForeign {
    std::string type; ///< TYPE: "string", "hash", "none", ...
    std::int64_t pttl = -2;
    std::optional<std::string> value;                        ///< a string key's value
    std::vector<std::pair<std::string, std::string>> fields; ///< a hash key's fields
    std::size_t size = 0; ///< STRLEN or HLEN; larger than read means cut off
};

/// Pure decoding: never throws; garbage becomes `error`.
ResourceInfo decodeResource(const std::string& name, const RawResource& raw);
ResourceInfo decodeForeign(const std::string& key, const RawForeign& raw);

/// Whether a presence entry is live: by Observer::alive at the reader's `nowMs`, and before its
/// "exp" (written by the server at each heartbeat) at the server's time `serverMs`.
bool live(const MemberInfo& m, double serverMs, double nowMs);

} // namespace directory

} // namespace baton
