#include "baton/redis/redis_store.h"

#include "redis_connection.h"
#include "redis_subscriber.h"

#include "baton/wire/lock_value.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <poll.h>
#include <set>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace baton {

using namespace redis_detail;

namespace {

using namespace std::chrono_literals;

// The lock value is wire::LockValue: {"id": identity, "fence": N, "token": secret}. Lua numbers
// are doubles, exact only below 2^53, so the scripts never do arithmetic on a fence: they keep
// its digits as text, read from the value ("fence":N can only be the field: an id is quoted).
#define BATON_LUA_FENCE "string.match(cur, '\"fence\":%s*(%d+)')"

// Reads KEYS[1] into cur, v (decoded) and fs (the fence's digits); garbage is an error.
#define BATON_LUA_READ                                                                             \
    "local cur = redis.call('GET', KEYS[1])\n"                                                     \
    "local ok, v, fs\n"                                                                            \
    "if cur then\n"                                                                                \
    "  ok, v = pcall(cjson.decode, cur)\n"                                                         \
    "  if ok and type(v) == 'table' then fs = " BATON_LUA_FENCE " end\n"                           \
    "  if not ok or type(v) ~= 'table' or type(v.id) ~= 'string' or type(v.fence) ~= 'number'\n"   \
    "     or not fs then\n"                                                                        \
    "    return redis.error_reply('BATON_GARBAGE')\n"                                              \
    "  end\n"                                                                                      \
    "end\n"

// acquire(KEYS: lock, fence; ARGV: token, identity, ttl ms) ->
//   {1, fence} when taken (or already held by this token: a retry), {0, holder id, holder
//   fence, pttl} when held by another.
// A fence is max(INCR, server time in microseconds) so it stays increasing after data loss.
// INCR is exact in Redis (64-bit); its text is read back with GET, never through a double.
constexpr const char* kAcquire = BATON_LUA_READ R"lua(
if cur then
  if v.token == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return {1, fs}
  end
  return {0, v.id, fs, redis.call('PTTL', KEYS[1])}
end
local incr = redis.pcall('INCR', KEYS[2])
if type(incr) == 'table' and incr.err then
  return redis.error_reply('BATON_BAD_FENCE ' .. incr.err)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
fs = redis.call('GET', KEYS[2])
if tonumber(fs) < now then
  fs = string.format('%d', now)
  redis.call('SET', KEYS[2], fs)
end
redis.call('SET', KEYS[1], '{"id":' .. cjson.encode(ARGV[2]) .. ',"fence":' .. fs ..
  ',"token":' .. cjson.encode(ARGV[1]) .. '}', 'PX', ARGV[3])
return {1, fs}
)lua";

// Whether KEYS[1] holds a lock of token ARGV[1]: returns 0 when it does not.
#define BATON_LUA_HELD                                                                             \
    "local cur = redis.call('GET', KEYS[1])\n"                                                     \
    "if not cur then return 0 end\n"                                                               \
    "local ok, v = pcall(cjson.decode, cur)\n"                                                     \
    "if not ok or type(v) ~= 'table' or v.token ~= ARGV[1] then return 0 end\n"

// extend(KEYS: lock; ARGV: token, ttl ms) -> 1 when extended, 0 when not held.
constexpr const char* kExtend = BATON_LUA_HELD "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                                               "return 1\n";

// release(KEYS: lock; ARGV: token, channel) -> 1 when released (and announced), 0 when not held.
// The notice is wire::ReleaseNotice.
constexpr const char* kRelease =
    BATON_LUA_HELD "local fs = " BATON_LUA_FENCE "\n"
                   "redis.call('DEL', KEYS[1])\n"
                   "redis.call('PUBLISH', ARGV[2], '{\"event\":\"released\",\"fence\":' ..\n"
                   "  (fs or '0') .. ',\"id\":' .. cjson.encode(v.id) .. '}')\n"
                   "return 1\n";

// inspect(KEYS: lock) -> {} when free, {holder id, fence, pttl} when held.
constexpr const char* kInspect = BATON_LUA_READ R"lua(
if not cur then return {} end
return {v.id, fs, redis.call('PTTL', KEYS[1])}
)lua";

enum ScriptId { Acquire, Extend, Release, Inspect, ScriptCount };
constexpr const char* kScripts[ScriptCount] = {kAcquire, kExtend, kRelease, kInspect};

// A fence from a script's reply: its digits, read exactly as 64 bits.
std::uint64_t toFence(const redisReply* r) {
    std::uint64_t fence = 0;
    if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0)
        return static_cast<std::uint64_t>(r->integer);
    if (r->type == REDIS_REPLY_STRING) {
        const auto [end, error] = std::from_chars(r->str, r->str + r->len, fence);
        if (error == std::errc() && end == r->str + r->len)
            return fence;
    }
    throw StoreError("unexpected fence in a reply: " +
                     (r->type == REDIS_REPLY_STRING ? replyText(r) : std::string("not a number")));
}

// A message on a resource's channel: a release notice if the release script wrote it.
Notice toNotice(const std::string& resource, const std::string& payload) {
    Notice n{Notice::Kind::Message, resource, {}, 0, payload};
    // Somebody else's text that only looks like a notice stays a message.
    if (const auto notice = wire::decodeReleaseNotice(payload)) {
        n.kind = Notice::Kind::Released;
        n.identity = notice->id;
        n.fence = notice->fence;
    }
    return n;
}

} // namespace

std::string RedisStore::key(const std::string& resource, const std::string& kind) {
    return "baton:{" + resource + "}:" + kind;
}

std::string defaultRedisUrl() {
    const char* env = std::getenv("REDIS_URL");
    return env && *env ? std::string(env) : std::string("redis://127.0.0.1:6379");
}

class RedisStore::Impl {
public:
    Impl(const std::string& text, RedisOptions options)
        : m_url(RedisUrl::parse(text))
        , m_options(options) {
        // hiredis writes with write(2): a peer that went away must give EPIPE, not kill us.
        struct sigaction current {};
        if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
            std::signal(SIGPIPE, SIG_IGN);
        std::lock_guard guard(m_mutex);
        connect();
    }

    // Runs `args` on the command connection, connecting first if needed. Throws StoreError.
    Reply run(const std::vector<std::string>& args) {
        std::lock_guard guard(m_mutex);
        ensureConnected();
        Reply r = command(m_ctx.get(), args);
        if (!r)
            lose(contextError(m_ctx.get(), m_options.commandTimeout));
        return r;
    }

    // EVALSHA of a script, loading it again if the server forgot it (NOSCRIPT).
    Reply eval(ScriptId id, const std::vector<std::string>& keys,
               const std::vector<std::string>& args) {
        std::lock_guard guard(m_mutex);
        ensureConnected();
        for (int attempt = 0;; ++attempt) {
            std::vector<std::string> argv{"EVALSHA", m_shas[id], std::to_string(keys.size())};
            argv.insert(argv.end(), keys.begin(), keys.end());
            argv.insert(argv.end(), args.begin(), args.end());
            Reply r = command(m_ctx.get(), argv);
            if (!r)
                lose(contextError(m_ctx.get(), m_options.commandTimeout));
            if (attempt == 0 && r->type == REDIS_REPLY_ERROR &&
                replyText(r.get()).rfind("NOSCRIPT", 0) == 0) {
                loadScripts();
                continue;
            }
            return r;
        }
    }

    std::string endpoint() const { return m_url.redacted(); }
    SubscriberThread& subscriber() {
        std::lock_guard guard(m_subscriberMutex);
        if (!m_subscriber)
            m_subscriber = std::make_unique<SubscriberThread>(m_url, m_options);
        return *m_subscriber;
    }

private:
    void connect() {
        m_ctx = connectTo(m_url, m_options, true);
        try {
            loadScripts();
        } catch (...) {
            m_ctx.reset();
            throw;
        }
    }

    void loadScripts() {
        for (int i = 0; i < ScriptCount; ++i) {
            Reply r = command(m_ctx.get(), {"SCRIPT", "LOAD", kScripts[i]});
            if (!r)
                lose(contextError(m_ctx.get(), m_options.commandTimeout));
            if (r->type != REDIS_REPLY_STRING)
                throw StoreError(
                    "cannot load Baton's scripts on " + endpoint() + ": " +
                    (r->type == REDIS_REPLY_ERROR ? replyText(r.get()) : std::string("odd reply")));
            m_shas[i] = replyText(r.get());
        }
    }

    void ensureConnected() {
        if (m_ctx)
            return;
        const TimePoint now = SteadyClock::instance().now();
        if (now < m_nextTry)
            throw StoreError("not connected to " + endpoint() + " (" + m_lastError +
                             "); next try in " + ms(m_nextTry - now) + " ms");
        try {
            connect();
            m_backoff = m_options.reconnectBackoffMin;
        } catch (const StoreError& e) {
            m_lastError = e.what();
            m_nextTry = SteadyClock::instance().now() + m_backoff;
            m_backoff = std::min(m_backoff * 2, m_options.reconnectBackoffMax);
            throw;
        }
    }

    [[noreturn]] void lose(const std::string& why) {
        m_ctx.reset();
        m_lastError = why;
        // The first reconnect is tried at once; backoff only grows when reconnecting fails.
        m_nextTry = SteadyClock::instance().now();
        throw StoreError("lost the connection to " + endpoint() + ": " + why +
                         "; it is re-made on the next call");
    }

    const RedisUrl m_url;
    const RedisOptions m_options;
    std::mutex m_mutex;
    Context m_ctx;
    std::string m_shas[ScriptCount];
    TimePoint m_nextTry{};
    Duration m_backoff = m_options.reconnectBackoffMin;
    std::string m_lastError;
    std::mutex m_subscriberMutex;
    std::unique_ptr<SubscriberThread> m_subscriber;
};

namespace {

std::string garbageMessage(const std::string& resource, const std::string& error) {
    const std::string k = RedisStore::key(resource, "lock");
    if (const auto at = error.find("BATON_BAD_FENCE "); at != std::string::npos) {
        const std::string f = RedisStore::key(resource, "fence");
        return f + " is not a fence counter (" + error.substr(at + 16) +
               "): Baton cannot issue a new fence; set it to a whole number at least the last "
               "fence given out (redis-cli SET '" +
               f + "' N), or delete it if no fence is in use (redis-cli DEL '" + f + "')";
    }
    if (error.rfind("WRONGTYPE", 0) == 0)
        return k +
               " is not a string (somebody made it another type): Baton waits until it "
               "expires or is deleted (redis-cli DEL '" +
               k + "')";
    if (error.find("BATON_GARBAGE") != std::string::npos)
        return k +
               " holds a value Baton did not write: Baton waits until it expires or is "
               "deleted (redis-cli DEL '" +
               k + "')";
    return error;
}

void throwIfError(const Reply& r, const std::string& resource, const char* what) {
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError(std::string(what) + ": " + garbageMessage(resource, replyText(r.get())));
}

std::string msArg(Duration ttl, const char* what) {
    // Rounded up: Redis keeps whole milliseconds, and a lock must never live shorter than the
    // ttl its holder's deadline was computed from.
    const auto v = std::chrono::ceil<std::chrono::milliseconds>(ttl).count();
    if (v <= 0)
        throw StoreError(std::string(what) + ": ttl must be at least 1ms, got " +
                         formatDuration(ttl));
    return std::to_string(v);
}

Duration pttl(const redisReply* r) {
    const auto v = toInt(r);
    // -1: a value without expiry (not Baton's); wait long, the retry interval caps it.
    return v < 0 ? Duration(std::chrono::hours(1)) : Duration(std::chrono::milliseconds(v));
}

} // namespace

RedisStore::RedisStore(const std::string& url, RedisOptions options)
    : m_impl(std::make_unique<Impl>(url, options)) {}

RedisStore::~RedisStore() = default;

std::string RedisStore::endpoint() const {
    return m_impl->endpoint();
}

AcquireReply RedisStore::acquire(const std::string& resource, const std::string& token,
                                 const std::string& identity, Duration ttl) {
    const std::string ttlMs = msArg(ttl, "acquire");
    Reply r = m_impl->eval(Acquire, {key(resource, "lock"), key(resource, "fence")},
                           {token, identity, ttlMs});
    throwIfError(r, resource, "acquire");
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
        throw StoreError("acquire: unexpected reply from " + endpoint());
    AcquireReply reply;
    if (toInt(r->element[0]) == 1) {
        reply.acquired = true;
        reply.fence = toFence(r->element[1]);
        reply.holder = {identity, reply.fence, ttl};
        return reply;
    }
    if (r->elements < 4)
        throw StoreError("acquire: unexpected reply from " + endpoint());
    reply.holder.identity = replyText(r->element[1]);
    reply.holder.fence = toFence(r->element[2]);
    reply.holder.remaining = pttl(r->element[3]);
    return reply;
}

bool RedisStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    Reply r = m_impl->eval(Extend, {key(resource, "lock")}, {token, msArg(ttl, "extend")});
    throwIfError(r, resource, "extend");
    return toInt(r.get()) == 1;
}

bool RedisStore::release(const std::string& resource, const std::string& token) {
    Reply r = m_impl->eval(Release, {key(resource, "lock")}, {token, key(resource, "events")});
    throwIfError(r, resource, "release");
    return toInt(r.get()) == 1;
}

std::optional<LockInfo> RedisStore::inspect(const std::string& resource) {
    Reply r = m_impl->eval(Inspect, {key(resource, "lock")}, {});
    throwIfError(r, resource, "inspect");
    if (r->type != REDIS_REPLY_ARRAY)
        throw StoreError("inspect: unexpected reply from " + endpoint());
    if (r->elements < 3)
        return std::nullopt;
    return LockInfo{replyText(r->element[0]), toFence(r->element[1]), pttl(r->element[2])};
}

void RedisStore::publish(const std::string& resource, const std::string& payload) {
    Reply r = m_impl->run({"PUBLISH", key(resource, "events"), payload});
    throwIfError(r, resource, "publish");
}

Subscription RedisStore::subscribe(const std::string& resource,
                                   std::function<void(const Notice&)> fn) {
    return m_impl->subscriber().add(key(resource, "events"),
                                    [resource, fn = std::move(fn)](const std::string& payload) {
                                        fn(toNotice(resource, payload));
                                    });
}

Subscription RedisStore::subscribeChannel(const std::string& channel,
                                          std::function<void(const std::string&)> fn) {
    return m_impl->subscriber().add(channel, std::move(fn));
}

void RedisStore::publishChannel(const std::string& channel, const std::string& payload) {
    Reply r = m_impl->run({"PUBLISH", channel, payload});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("publish to " + channel + ": " + replyText(r.get()));
}

void RedisStore::hset(const std::string& k, const std::string& field, const std::string& value) {
    Reply r = m_impl->run({"HSET", k, field, value});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("hset " + k + ": " + replyText(r.get()));
}

bool RedisStore::hdel(const std::string& k, const std::string& field) {
    Reply r = m_impl->run({"HDEL", k, field});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("hdel " + k + ": " + replyText(r.get()));
    return toInt(r.get()) > 0;
}

std::vector<std::pair<std::string, std::string>> RedisStore::hgetall(const std::string& k) {
    Reply r = m_impl->run({"HGETALL", k});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("hgetall " + k + ": " + replyText(r.get()));
    std::vector<std::pair<std::string, std::string>> out;
    if (r->type != REDIS_REPLY_ARRAY)
        return out;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2)
        out.emplace_back(replyText(r->element[i]), replyText(r->element[i + 1]));
    return out;
}

std::string RedisStore::info(const std::string& section) {
    Reply r = m_impl->run({"INFO", section});
    if (r->type != REDIS_REPLY_STRING)
        throw StoreError("info " + section + ": " +
                         (r->type == REDIS_REPLY_ERROR ? replyText(r.get()) : "odd reply"));
    return replyText(r.get());
}

std::optional<std::string> RedisStore::get(const std::string& k) {
    Reply r = m_impl->run({"GET", k});
    if (r->type == REDIS_REPLY_NIL)
        return std::nullopt;
    if (r->type != REDIS_REPLY_STRING)
        throw StoreError("get " + k + ": " +
                         (r->type == REDIS_REPLY_ERROR ? replyText(r.get()) : "not a string"));
    return replyText(r.get());
}

void RedisStore::set(const std::string& k, const std::string& value, Duration ttl) {
    if (ttl.count() < 0)
        throw StoreError("set: ttl must not be negative, got " + formatDuration(ttl));
    Reply r = ttl.count() == 0 ? m_impl->run({"SET", k, value})
                               : m_impl->run({"SET", k, value, "PX", msArg(ttl, "set")});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("set " + k + ": " + replyText(r.get()));
}

bool RedisStore::del(const std::string& k) {
    Reply r = m_impl->run({"DEL", k});
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError("del " + k + ": " + replyText(r.get()));
    return toInt(r.get()) > 0;
}

} // namespace baton
