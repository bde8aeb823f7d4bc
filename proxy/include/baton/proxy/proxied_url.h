#pragma once
// The Redis URL an agent uses to reach its Redis through a fault proxy: the same login and
// database, the proxy's loopback port.

#include <baton/redis/redis_url.h>

#include <string>

namespace baton::proxy {

/// `url` with its host and port replaced by 127.0.0.1:`port` (user, password and db kept,
/// percent-escaped). A unix-socket URL cannot be proxied: std::invalid_argument.
std::string throughProxy(const RedisUrl& url, int port);

} // namespace baton::proxy
