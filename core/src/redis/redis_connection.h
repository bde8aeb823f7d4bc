#pragma once
// The Redis store's connection helpers, shared by the command connection (redis_store.cpp) and
// the subscriber thread (redis_subscriber.h): owned replies and contexts, connecting and logging
// in, running one command, reading a reply.

#include "baton/redis/redis_store.h"

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace baton::redis_detail {

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval toTimeval(Duration d);

std::string ms(Duration d);

// Why a context failed, in words: timeouts say so, with the limit.
std::string contextError(const redisContext* c, Duration timeout);

std::string replyText(const redisReply* r);

// Runs one command on `c`; nullptr means the connection failed (see c->err).
Reply command(redisContext* c, const std::vector<std::string>& args);

// Queues one command on `c` (sent by the next getReply); for pipelines.
void appendCommand(redisContext* c, const std::vector<std::string>& args);
// The next reply on `c`; nullptr means the connection failed (see c->err).
Reply getReply(redisContext* c);

// Connects, logs in, selects the db. Throws StoreError that never holds the password.
Context connectTo(const RedisUrl& url, const RedisOptions& options, bool selectDb);

std::int64_t toInt(const redisReply* r);

} // namespace baton::redis_detail
