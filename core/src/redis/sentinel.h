#pragma once
// Finding the primary through Redis Sentinel (used by the store's command connection and its
// subscriber): ask the sentinels, check the answer's ROLE, read their failover notices.

#include "redis_connection.h"

#include <cstddef>
#include <optional>
#include <string>

namespace baton::redis_detail {

/// Asks the sentinels of `url`, from the `next`-th on, for the primary named `url.masterName`;
/// returns its address with the primary's login and db, and leaves `next` at the sentinel that
/// answered (so the next look starts there). Throws StoreError with every sentinel's answer.
RedisUrl askSentinels(const RedisUrl& url, const RedisOptions& options, std::size_t& next);

/// Throws StoreError unless the server on `c` (at `server`) says ROLE master: a sentinel's view
/// is stale for a while around a failover, and a replica must never be written to.
void requirePrimary(redisContext* c, const RedisUrl& server, const RedisUrl& url,
                    const RedisOptions& options);

/// The sentinels' failover notice channel, and the new primary ("host:port") when a notice on
/// it ("NAME old-ip old-port new-ip new-port") is about the master `name`.
inline constexpr const char* kSwitchMasterChannel = "+switch-master";
std::optional<std::string> switchedPrimary(const std::string& payload, const std::string& name);

} // namespace baton::redis_detail
