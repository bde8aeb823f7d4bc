#pragma once
// What the Redis user of a store may do: permission and replica errors said with the way out
// (used by redis_store.cpp; RedisStore::checkElectionAccess is in redis_access.cpp).

#include "baton/redis/redis_store.h"
#include "baton/redis/redis_url.h"

#include <string>

namespace baton::redis_detail {

/// What a user of a store is for: an election (reads and writes) or a read-only watch (the
/// resource directory, baton-ctl's read commands, the lab's watch).
enum class Access { Election, Watch };

/// The ACL SETUSER line that grants `url`'s user what an election needs (commands, keys
/// baton:*, channels baton:*), or with Access::Watch the README's read-only watcher line.
std::string aclAdvice(const RedisUrl& url, Access access = Access::Election);

/// A server's error reply to `command` in words with the way out when it is a missing
/// permission (NOPERM, or a command a script may not run: `scriptCommands` lists the
/// script's) or a read-only replica (READONLY); any other error as it came.
std::string explainAccess(const RedisUrl& url, const std::string& command, const std::string& error,
                          const char* scriptCommands = nullptr, Access access = Access::Election);

/// SUBSCRIBE to `channel` on a connection of its own, closed at once; throws StoreError with
/// the way out (for `access`) when refused. `why`: what comes on that channel.
void checkSubscribe(RedisStore::Impl& impl, const std::string& channel, const char* why,
                    Access access = Access::Election);

} // namespace baton::redis_detail
