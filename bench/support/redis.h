#pragma once
// The harness's own view of a benchmark's private redis-server: starting it, and a plain
// connection for reads that are not part of what is measured (PTTL before a kill, INFO).

#include "support/redis_server.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace baton::bench {

/// A private redis-server on a free port (throws Failure when it cannot start).
std::unique_ptr<test::RedisServer> startRedis();

/// One hiredis connection; every call throws Failure on an error.
class RedisClient {
public:
    explicit RedisClient(int port);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    long long integer(const std::vector<std::string>& args);
    std::string text(const std::vector<std::string>& args);
    /// INFO commandstats: calls so far per command name ("evalsha", "hset", ...).
    std::map<std::string, long long> commandCalls();

private:
    struct Reply;
    Reply command(const std::vector<std::string>& args);
    redisContext* m_context = nullptr;
    int m_port;
};

} // namespace baton::bench
