#include "sentinel.h"

#include <sstream>
#include <vector>

namespace baton::redis_detail {

namespace {

std::string hostPort(const RedisHost& h) {
    return (h.host.find(':') != std::string::npos ? "[" + h.host + "]" : h.host) + ":" +
           std::to_string(h.port);
}

// One sentinel's answer: the primary's address, or why there is none (in `why`).
std::optional<RedisHost> askOne(const RedisUrl& url, const RedisHost& sentinel,
                                const RedisOptions& options, std::string& why) {
    Context c;
    try {
        c = connectTo(url.sentinelServer(sentinel), options, false, Peer::Sentinel);
    } catch (const StoreError& e) {
        why = e.what();
        return std::nullopt;
    }
    Reply r = command(c.get(), {"SENTINEL", "get-master-addr-by-name", url.masterName});
    if (!r) {
        why = "no answer to SENTINEL get-master-addr-by-name: " +
              contextError(c.get(), options.commandTimeout);
        return std::nullopt;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        const std::string text = replyText(r.get());
        if (text.find("unknown command") != std::string::npos ||
            text.find("unknown subcommand") != std::string::npos)
            why = "not a sentinel (it answers SENTINEL with '" + text.substr(0, 60) +
                  "'): list the sentinels in redis-sentinel:// (port 26379 by default), or "
                  "reach a lone server with redis://host:port";
        else if (text.rfind("NOAUTH", 0) == 0)
            why = "it requires a password (NOAUTH); put it in the URL: "
                  "redis-sentinel://host/MASTER?sentinelPassword=PASSWORD";
        else
            why = "SENTINEL get-master-addr-by-name refused: " + text;
        return std::nullopt;
    }
    if (r->type == REDIS_REPLY_NIL) {
        why = "monitors no master named '" + url.masterName + "' (redis-cli -p " +
              std::to_string(sentinel.port) + " SENTINEL masters lists the names it monitors)";
        return std::nullopt;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) {
        why = "an odd answer to SENTINEL get-master-addr-by-name";
        return std::nullopt;
    }
    const std::string port = replyText(r->element[1]);
    const int p = std::atoi(port.c_str());
    if (p <= 0 || p > 65535) {
        why = "named the primary's port '" + port.substr(0, 20) + "', not a port";
        return std::nullopt;
    }
    return RedisHost{replyText(r->element[0]), p};
}

} // namespace

RedisUrl askSentinels(const RedisUrl& url, const RedisOptions& options, std::size_t& next) {
    const std::size_t count = url.sentinels.size();
    std::vector<std::string> answers;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t at = (next + i) % count;
        std::string why;
        if (const auto primary = askOne(url, url.sentinels[at], options, why)) {
            next = at;
            return url.server(primary->host, primary->port);
        }
        answers.push_back(hostPort(url.sentinels[at]) + ": " + why);
    }
    next = (next + 1) % count;
    std::string text;
    for (const auto& a : answers)
        text += (text.empty() ? "" : "; ") + a;
    throw StoreError("cannot find the primary '" + url.masterName + "' through " + url.redacted() +
                     ": " + text);
}

void requirePrimary(redisContext* c, const RedisUrl& server, const RedisUrl& url,
                    const RedisOptions& options) {
    const std::string where =
        server.redacted() + ", named primary of '" + url.masterName + "' by the sentinels,";
    Reply r = command(c, {"ROLE"});
    if (!r)
        throw StoreError("cannot check that " + where +
                         " is the primary: " + contextError(c, options.commandTimeout));
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("cannot check that " + where + " is the primary (ROLE: " +
                         replyText(r.get()) + "); grant the user +role");
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
        r->element[0]->type != REDIS_REPLY_STRING)
        throw StoreError("cannot check that " + where + " is the primary: an odd answer to ROLE");
    const std::string role = replyText(r->element[0]);
    if (role == "master")
        return;
    // Never written to: a replica's locks are not the primary's (and one that accepts writes
    // would take a lock nobody else sees).
    throw StoreError(where + " says it is a " + (role == "slave" ? "replica" : role) +
                     " (ROLE): the sentinels' view is stale (a failover under way?); they are "
                     "asked again on the next call");
}

std::optional<std::string> switchedPrimary(const std::string& payload, const std::string& name) {
    std::istringstream in(payload);
    std::string master, oldHost, oldPort, newHost, newPort;
    if (!(in >> master >> oldHost >> oldPort >> newHost >> newPort) || master != name)
        return std::nullopt;
    return newHost + ":" + newPort;
}

} // namespace baton::redis_detail
