#include "redis_connection.h"

#include <cstdlib>
#include <cstring>

namespace baton::redis_detail {

using namespace std::chrono_literals;

timeval toTimeval(Duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

std::string ms(Duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Why a context failed, in words: timeouts say so, with the limit.
std::string contextError(const redisContext* c, Duration timeout) {
    if (!c)
        return "out of memory";
    const std::string text = c->errstr;
    if (c->err == REDIS_ERR_IO && (text.find("temporarily unavailable") != std::string::npos ||
                                   text.find("timed out") != std::string::npos))
        return "no answer within " + formatDuration(timeout) + " (timed out)";
    if (c->err == REDIS_ERR_EOF)
        return "the server closed the connection";
    return text;
}

std::string replyText(const redisReply* r) {
    return std::string(r->str, r->len);
}

namespace {

// A command's arguments as hiredis takes them: pointers and lengths (any bytes, NULs too).
struct Argv {
    explicit Argv(const std::vector<std::string>& args) {
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
    }
    int count() const { return static_cast<int>(argv.size()); }
    std::vector<const char*> argv;
    std::vector<size_t> lens;
};

} // namespace

// Runs one command on `c`; nullptr means the connection failed (see c->err).
Reply command(redisContext* c, const std::vector<std::string>& args) {
    Argv a(args);
    return Reply(
        static_cast<redisReply*>(redisCommandArgv(c, a.count(), a.argv.data(), a.lens.data())));
}

void appendCommand(redisContext* c, const std::vector<std::string>& args) {
    Argv a(args);
    redisAppendCommandArgv(c, a.count(), a.argv.data(), a.lens.data());
}

Reply getReply(redisContext* c) {
    void* reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK)
        return nullptr;
    return Reply(static_cast<redisReply*>(reply));
}

// Connects, logs in, selects the db. Throws StoreError that never holds the password.
Context connectTo(const RedisUrl& url, const RedisOptions& options, bool selectDb) {
    const timeval tv = toTimeval(options.connectTimeout);
    Context c(url.unixSocket ? redisConnectUnixWithTimeout(url.path.c_str(), tv)
                             : redisConnectWithTimeout(url.host.c_str(), url.port, tv));
    const std::string where = url.redacted();
    if (!c || c->err) {
        std::string hint =
            url.unixSocket
                ? "is redis-server listening on that socket (unixsocket " + url.path + ")?"
                : "is redis-server running there? (start one: redis-server "
                  "--port " +
                      std::to_string(url.port) + ")";
        throw StoreError("cannot connect to " + where + ": " +
                         contextError(c.get(), options.connectTimeout) + "; " + hint);
    }
    redisSetTimeout(c.get(), toTimeval(options.commandTimeout));
    if (!url.unixSocket)
        redisEnableKeepAlive(c.get());

    auto check = [&](const Reply& r, const char* step) {
        if (!r)
            throw StoreError("cannot " + std::string(step) + " on " + where + ": " +
                             contextError(c.get(), options.commandTimeout));
        if (r->type != REDIS_REPLY_ERROR)
            return;
        const std::string text = replyText(r.get());
        // redis://NAME@host reads NAME as a password; the user may have meant a user name.
        const std::string bare =
            url.bareCredential
                ? "; the name alone before '@' was read as a password, not a user: for an ACL "
                  "user write redis://USER:PASSWORD@host, for a password redis://:PASSWORD@host"
                : "";
        if (text.rfind("WRONGPASS", 0) == 0)
            throw StoreError(
                "authentication failed on " + where +
                ": the server refused this user name and password (WRONGPASS); " +
                (bare.empty() ? "check the user and password in the URL" : bare.substr(2)));
        if (text.rfind("NOAUTH", 0) == 0)
            throw StoreError("authentication failed on " + where +
                             ": the server requires a password (NOAUTH); put it in the URL: "
                             "redis://[user:]password@host:port");
        if (text.find("without any password configured") != std::string::npos)
            throw StoreError("authentication failed on " + where +
                             ": the URL gives a password but the server has none set; remove "
                             "it from the URL" +
                             bare);
        if (std::string(step) == "log in")
            throw StoreError("authentication failed on " + where + ": " +
                             text.substr(0, text.find(' ')) + " (check the user and password)");
        throw StoreError("cannot " + std::string(step) + " on " + where + ": " + text);
    };
    if (!url.password.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!url.user.empty())
            auth.push_back(url.user);
        auth.push_back(url.password);
        check(command(c.get(), auth), "log in");
    }
    if (selectDb) {
        if (url.db != 0) {
            Reply r = command(c.get(), {"SELECT", std::to_string(url.db)});
            if (r && r->type == REDIS_REPLY_ERROR &&
                replyText(r.get()).find("out of range") != std::string::npos)
                throw StoreError("cannot select db " + std::to_string(url.db) + " on " + where +
                                 ": the server has fewer databases (see 'databases' in "
                                 "redis.conf); use a smaller /db in the URL");
            check(r, "select the db");
        } else {
            check(command(c.get(), {"PING"}), "talk");
        }
    }
    return c;
}

std::int64_t toInt(const redisReply* r) {
    if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (r->type == REDIS_REPLY_STRING)
        return std::strtoll(r->str, nullptr, 10);
    throw StoreError("unexpected reply type " + std::to_string(r->type));
}

} // namespace baton::redis_detail
