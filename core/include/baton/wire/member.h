#pragma once
// A presence entry: one field of baton:{R}:members per live elector, its value the JSON of a
// MemberInfo (the field name is the id).

#include "baton/base/clock.h"
#include "baton/wire/decoded.h"

#include <cstdint>
#include <string>
#include <string_view>

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
    double seenMs = 0;      ///< Unix time in ms of the last heartbeat
    double termStartMs = 0; ///< Unix ms its current term began, while it leads; 0 unknown
    /// The server's Unix ms after which the entry is stale, written by the server at each
    /// heartbeat (RedisStore::heartbeat); 0 in entries of agents older than that.
    double expiresMs = 0;
    /// A sharded agent (--shards): how many shards of its family it leads ("shards"; 0 unknown).
    std::uint64_t shardsLed = 0;
    /// A sharded agent: how many shards its family has, N of --shards N ("shardCount"; 0 for a
    /// single-resource agent, or unknown). Lets a viewer show the shards nobody leads.
    std::uint64_t shardCount = 0;
    bool operator==(const MemberInfo&) const = default;
};

namespace wire {

/// The largest family "shardCount" carries (shard names' indexes stay below a million).
inline constexpr std::uint64_t kMostShards = 1'000'000;

/// The entry's value (without the id, which is the hash field). Durations in whole ms.
std::string encode(const MemberInfo& member);
/// Needs "seen" and a positive "ttl". "since", "exp", "shards" and "shardCount" are written
/// only when not 0. A "shardCount" that is not a whole number in [1, kMostShards] is ignored
/// (read as 0): the entry is still read.
Decoded<MemberInfo> decodeMember(const std::string& id, std::string_view text);

} // namespace wire

} // namespace baton
