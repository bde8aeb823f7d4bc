#include "baton/redis/redis_store.h"

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

struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

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

// Runs one command on `c`; nullptr means the connection failed (see c->err).
Reply command(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
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
        if (text.rfind("WRONGPASS", 0) == 0)
            throw StoreError("authentication failed on " + where +
                             ": the server refused this user name and password (WRONGPASS); "
                             "check the user and password in the URL");
        if (text.rfind("NOAUTH", 0) == 0)
            throw StoreError("authentication failed on " + where +
                             ": the server requires a password (NOAUTH); put it in the URL: "
                             "redis://[user:]password@host:port");
        if (text.find("without any password configured") != std::string::npos)
            throw StoreError("authentication failed on " + where +
                             ": the URL gives a password but the server has none set; remove "
                             "it from the URL");
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

// The subscription connection, on a thread of its own. Other threads ask it to (un)subscribe
// through the wanted set and an eventfd; it answers by marking channels confirmed.
class SubscriberThread {
public:
    SubscriberThread(const RedisUrl& url, const RedisOptions& options)
        : m_url(url)
        , m_options(options)
        , m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
        if (m_wakeFd < 0)
            throw StoreError(std::string("cannot create an eventfd: ") + std::strerror(errno));
        m_thread = std::thread([this] { run(); });
    }
    ~SubscriberThread() {
        {
            std::lock_guard guard(m_mutex);
            m_quit = true;
        }
        wake();
        m_thread.join();
        ::close(m_wakeFd);
    }

    Subscription add(const std::string& channel, std::function<void(const std::string&)> fn) {
        auto entry = std::make_shared<Entry>();
        entry->fn = std::move(fn);
        std::unique_lock lock(m_mutex);
        m_entries.emplace(channel, entry);
        wake();
        // Wait until the server confirms, so that no notice sent after subscribe() returns is
        // missed; give up after one connection's worth of time (it is retried on its own).
        const auto failures = m_connectFailures;
        m_cv.wait_for(lock, m_options.connectTimeout + m_options.commandTimeout, [&] {
            return m_confirmed.count(channel) > 0 || m_quit || m_connectFailures != failures;
        });
        lock.unlock();
        return Subscription([this, channel, entry] {
            {
                std::lock_guard guard(entry->mutex);
                entry->active = false;
            }
            std::lock_guard guard(m_mutex);
            auto [first, last] = m_entries.equal_range(channel);
            for (auto it = first; it != last; ++it) {
                if (it->second == entry) {
                    m_entries.erase(it);
                    break;
                }
            }
            wake();
        });
    }

private:
    struct Entry {
        std::mutex mutex;
        bool active = true;
        std::function<void(const std::string&)> fn;
    };

    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wakeFd, &one, sizeof one);
    }

    void run() {
        Context ctx;
        std::set<std::string> sent; // channels we asked the server for
        Duration backoff = m_options.reconnectBackoffMin;
        TimePoint nextTry = SteadyClock::instance().now();
        // A half-open connection shows no error until TCP keepalive gives up (minutes): ping
        // when the line has been quiet, and drop it when the pong does not come in time.
        const Duration pingEvery =
            std::max<Duration>(std::chrono::seconds(1), m_options.commandTimeout);
        TimePoint lastHeard = nextTry;
        TimePoint pingSent = TimePoint::max(); // max: no ping out
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            std::set<std::string> wanted;
            for (const auto& [channel, entry] : m_entries)
                wanted.insert(channel);
            if (!ctx && !wanted.empty() && SteadyClock::instance().now() >= nextTry) {
                lock.unlock();
                try {
                    ctx = connectTo(m_url, m_options, false);
                    backoff = m_options.reconnectBackoffMin;
                    lastHeard = SteadyClock::instance().now();
                    pingSent = TimePoint::max();
                } catch (const StoreError&) {
                    nextTry = SteadyClock::instance().now() + backoff;
                    backoff = std::min(backoff * 2, m_options.reconnectBackoffMax);
                }
                lock.lock();
                if (!ctx) {
                    ++m_connectFailures; // nobody waits for a confirmation that cannot come
                    m_cv.notify_all();
                }
                sent.clear();
                m_confirmed.clear();
                continue;
            }
            if (ctx) {
                std::vector<std::string> subscribe{"SUBSCRIBE"}, unsubscribe{"UNSUBSCRIBE"};
                for (const auto& c : wanted)
                    if (!sent.count(c))
                        subscribe.push_back(c);
                for (const auto& c : sent)
                    if (!wanted.count(c))
                        unsubscribe.push_back(c);
                const TimePoint now = SteadyClock::instance().now();
                std::vector<std::string> ping;
                if (pingSent == TimePoint::max() && now >= lastHeard + pingEvery) {
                    ping = {"PING", ""};
                    pingSent = now;
                }
                if (pingSent != TimePoint::max() && now >= pingSent + m_options.commandTimeout) {
                    drop(ctx, nextTry, backoff); // no pong: the connection is dead
                    continue;
                }
                if (!send(ctx.get(), subscribe) || !send(ctx.get(), unsubscribe) ||
                    !send(ctx.get(), ping)) {
                    drop(ctx, nextTry, backoff);
                    continue;
                }
                // Not confirmed from now on: a subscribe() for it must wait for the new
                // SUBSCRIBE's answer, not take the old one's.
                for (std::size_t i = 1; i < unsubscribe.size(); ++i)
                    m_confirmed.erase(unsubscribe[i]);
                sent = wanted;
            }
            lock.unlock();
            pollfd fds[2] = {{m_wakeFd, POLLIN, 0}, {ctx ? ctx->fd : -1, POLLIN, 0}};
            TimePoint wakeAt = TimePoint::max();
            if (!ctx && !wanted.empty())
                wakeAt = nextTry;
            else if (ctx)
                wakeAt = pingSent != TimePoint::max() ? pingSent + m_options.commandTimeout
                                                      : lastHeard + pingEvery;
            int timeout = -1;
            if (wakeAt != TimePoint::max())
                timeout = static_cast<int>(
                    std::clamp<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(
                                                 wakeAt - SteadyClock::instance().now())
                                                 .count(),
                                             1, 60'000));
            ::poll(fds, ctx ? 2 : 1, timeout);
            if (fds[0].revents & POLLIN) {
                std::uint64_t value;
                [[maybe_unused]] auto n = ::read(m_wakeFd, &value, sizeof value);
            }
            std::vector<Reply> replies;
            bool failed = false;
            if (ctx && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                if (redisBufferRead(ctx.get()) != REDIS_OK) {
                    failed = true;
                } else {
                    void* r = nullptr;
                    while (redisGetReplyFromReader(ctx.get(), &r) == REDIS_OK && r)
                        replies.emplace_back(static_cast<redisReply*>(r));
                    lastHeard = SteadyClock::instance().now(); // any traffic proves it alive
                    pingSent = TimePoint::max();
                }
            }
            for (const auto& r : replies)
                handle(r.get());
            lock.lock();
            if (failed)
                drop(ctx, nextTry, backoff);
        }
    }

    bool send(redisContext* c, const std::vector<std::string>& args) {
        if (args.size() < 2)
            return true;
        std::vector<const char*> argv;
        std::vector<size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
            REDIS_OK)
            return false;
        int done = 0;
        while (!done)
            if (redisBufferWrite(c, &done) != REDIS_OK)
                return false;
        return true;
    }

    void drop(Context& ctx, TimePoint& nextTry, Duration& backoff) {
        ctx.reset();
        m_confirmed.clear();
        nextTry = SteadyClock::instance().now() + backoff;
        backoff = std::min(backoff * 2, m_options.reconnectBackoffMax);
    }

    // Runs without m_mutex held: callbacks must not run under it.
    void handle(const redisReply* r) {
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
            r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
            return;
        const std::string kind = replyText(r->element[0]);
        const std::string channel = replyText(r->element[1]);
        if (kind == "subscribe" || kind == "unsubscribe") {
            {
                std::lock_guard guard(m_mutex);
                if (kind == "subscribe")
                    m_confirmed.insert(channel);
                else
                    m_confirmed.erase(channel);
            }
            m_cv.notify_all();
            return;
        }
        if (kind != "message" || r->element[2]->type != REDIS_REPLY_STRING)
            return;
        const std::string payload = replyText(r->element[2]);
        std::vector<std::shared_ptr<Entry>> targets;
        {
            std::lock_guard guard(m_mutex);
            auto [first, last] = m_entries.equal_range(channel);
            for (auto it = first; it != last; ++it)
                targets.push_back(it->second);
        }
        for (const auto& entry : targets) {
            std::lock_guard guard(entry->mutex);
            if (entry->active)
                entry->fn(payload);
        }
    }

    const RedisUrl m_url;
    const RedisOptions m_options;
    const int m_wakeFd;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::multimap<std::string, std::shared_ptr<Entry>> m_entries;
    std::set<std::string> m_confirmed;
    std::uint64_t m_connectFailures = 0;
    bool m_quit = false;
    std::thread m_thread;
};

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
