#include "redis.h"

#include "bench.h"

#include <hiredis/hiredis.h>

#include <sstream>

namespace baton::bench {

std::unique_ptr<test::RedisServer> startRedis() {
    auto server = std::make_unique<test::RedisServer>();
    if (!server->start())
        throw Failure(server->error().toStdString());
    return server;
}

struct RedisClient::Reply {
    std::unique_ptr<redisReply, void (*)(void*)> reply{nullptr, freeReplyObject};
};

RedisClient::RedisClient(int port)
    : m_port(port) {
    timeval timeout{2, 0};
    m_context = redisConnectWithTimeout("127.0.0.1", port, timeout);
    if (!m_context || m_context->err)
        throw Failure("cannot connect to redis-server on port " + std::to_string(port) + ": " +
                      (m_context ? m_context->errstr : "out of memory"));
    redisSetTimeout(m_context, timeout);
}

RedisClient::~RedisClient() {
    if (m_context)
        redisFree(m_context);
}

RedisClient::Reply RedisClient::command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    Reply r;
    r.reply.reset(static_cast<redisReply*>(
        redisCommandArgv(m_context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!r.reply)
        throw Failure("redis-server on port " + std::to_string(m_port) +
                      " did not answer: " + m_context->errstr);
    if (r.reply->type == REDIS_REPLY_ERROR)
        throw Failure(args.front() + ": " + r.reply->str);
    return r;
}

long long RedisClient::integer(const std::vector<std::string>& args) {
    const Reply r = command(args);
    if (r.reply->type != REDIS_REPLY_INTEGER)
        throw Failure(args.front() + ": not an integer reply");
    return r.reply->integer;
}

std::string RedisClient::text(const std::vector<std::string>& args) {
    const Reply r = command(args);
    if (r.reply->type == REDIS_REPLY_NIL)
        return {};
    if (r.reply->type != REDIS_REPLY_STRING && r.reply->type != REDIS_REPLY_STATUS)
        throw Failure(args.front() + ": not a text reply");
    return std::string(r.reply->str, r.reply->len);
}

std::map<std::string, long long> RedisClient::commandCalls() {
    // Lines like "cmdstat_evalsha:calls=12,usec=340,usec_per_call=28.33,...".
    std::map<std::string, long long> calls;
    std::istringstream in(text({"INFO", "commandstats"}));
    const std::string prefix = "cmdstat_", field = ":calls=";
    for (std::string line; std::getline(in, line);) {
        const auto colon = line.find(field);
        if (line.rfind(prefix, 0) != 0 || colon == std::string::npos)
            continue;
        calls[line.substr(prefix.size(), colon - prefix.size())] =
            std::stoll(line.substr(colon + field.size()));
    }
    return calls;
}

} // namespace baton::bench
