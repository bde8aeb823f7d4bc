#include "redis_store_impl.h"

#include "redis_access.h"
#include "sentinel.h"

#include <algorithm>
#include <csignal>

namespace baton {

using namespace redis_detail;

namespace {

bool isReadOnly(const Reply& r) {
    return r->type == REDIS_REPLY_ERROR && replyText(r.get()).rfind("READONLY", 0) == 0;
}

} // namespace

RedisStore::Impl::Impl(const std::string& text, RedisOptions options)
    : m_url(RedisUrl::parse(text))
    , m_options(options)
    , m_target(m_url) {
    // hiredis writes with write(2): a peer that went away must give EPIPE, not kill us.
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
        std::signal(SIGPIPE, SIG_IGN);
    {
        std::lock_guard guard(m_mutex);
        connect();
    }
    if (m_url.sentinel && m_options.watchFailovers)
        watchFailovers();
}

std::string RedisStore::Impl::endpoint() const {
    if (!m_url.sentinel)
        return m_url.redacted();
    const RedisUrl now = target();
    if (now.sentinel)
        return m_url.redacted() + " (no primary found yet)";
    const bool v6 = now.host.find(':') != std::string::npos;
    return m_url.redacted() + " (primary " + (v6 ? "[" + now.host + "]" : now.host) + ":" +
           std::to_string(now.port) + ")";
}

RedisUrl RedisStore::Impl::target() const {
    std::lock_guard guard(m_targetMutex);
    return m_target;
}

template <typename Send>
Reply RedisStore::Impl::runOnPrimary(Send send) {
    std::lock_guard guard(m_mutex);
    ensureConnected();
    Reply r = send();
    if (!m_url.sentinel || !isReadOnly(r))
        return r;
    // The primary was demoted (a failover, or its operator): this write did not happen. The
    // sentinels name the new one; one more try there.
    const std::string was = target().redacted();
    m_ctx.reset();
    m_nextTry = SteadyClock::instance().now();
    try {
        ensureConnected();
    } catch (const StoreError& e) {
        throw StoreError(was +
                         " is a replica now (READONLY), and no primary was found: " + e.what());
    }
    return send();
}

Reply RedisStore::Impl::run(const std::vector<std::string>& args) {
    return runOnPrimary([&] {
        Reply r = command(m_ctx.get(), args);
        if (!r)
            lose(contextError(m_ctx.get(), m_options.commandTimeout));
        return r;
    });
}

// Under m_mutex, connected.
Reply RedisStore::Impl::evalOnce(ScriptId id, const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args) {
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

Reply RedisStore::Impl::eval(ScriptId id, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
    return runOnPrimary([&] { return evalOnce(id, keys, args); });
}

Reply RedisStore::Impl::evalAcknowledged(ScriptId id, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args,
                                         bool (*wrote)(const redisReply*), const char* what) {
    return runOnPrimary([&] {
        Reply r = evalOnce(id, keys, args);
        if (m_options.minReplicas > 0 && r->type != REDIS_REPLY_ERROR && wrote(r.get()))
            awaitReplicas(what);
        return r;
    });
}

// Under m_mutex, right after the write on the same connection.
void RedisStore::Impl::awaitReplicas(const char* what) {
    const std::string wanted = std::to_string(m_options.minReplicas);
    // The server holds WAIT's answer for up to the replica timeout: the socket waits that long
    // more than for any other command.
    redisSetTimeout(m_ctx.get(), toTimeval(m_options.commandTimeout + m_options.replicaTimeout));
    Reply r = command(m_ctx.get(), {"WAIT", wanted, ms(m_options.replicaTimeout)});
    if (!r)
        lose(contextError(m_ctx.get(), m_options.commandTimeout + m_options.replicaTimeout));
    redisSetTimeout(m_ctx.get(), toTimeval(m_options.commandTimeout));
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError(std::string(what) +
                         ": WAIT: " + explainAccess(m_url, "WAIT", replyText(r.get())));
    const auto acknowledged = toInt(r.get());
    if (acknowledged >= m_options.minReplicas)
        return;
    throw StoreError(std::string(what) + ": " + std::to_string(acknowledged) + " of the " + wanted +
                     " replicas wanted acknowledged it within " +
                     formatDuration(m_options.replicaTimeout) + " (WAIT on " + endpoint() +
                     "), so it does not count: a failover now could lose it (fewer replicas "
                     "in sync? see INFO replication; or lower the replica count wanted)");
}

// Reads only (the resource directory): any server the sentinels name as primary will do.
std::vector<Reply> RedisStore::Impl::pipeline(const std::vector<Call>& calls) {
    std::lock_guard guard(m_mutex);
    ensureConnected();
    for (int attempt = 0;; ++attempt) {
        for (const Call& call : calls) {
            std::vector<std::string> argv;
            if (call.script != ScriptCount) {
                argv = {"EVALSHA", m_shas[call.script], std::to_string(call.keys.size())};
                argv.insert(argv.end(), call.keys.begin(), call.keys.end());
            }
            argv.insert(argv.end(), call.args.begin(), call.args.end());
            appendCommand(m_ctx.get(), argv);
        }
        std::vector<Reply> replies;
        bool forgotten = false;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            Reply r = getReply(m_ctx.get());
            if (!r)
                lose(contextError(m_ctx.get(), m_options.commandTimeout));
            forgotten = forgotten || (r->type == REDIS_REPLY_ERROR &&
                                      replyText(r.get()).rfind("NOSCRIPT", 0) == 0);
            replies.push_back(std::move(r));
        }
        if (!forgotten || attempt > 0)
            return replies;
        loadScripts(); // the server restarted: every reply is read, so the batch runs again
    }
}

SubscriberThread& RedisStore::Impl::subscriber() {
    std::lock_guard guard(m_subscriberMutex);
    if (m_subscriber)
        return *m_subscriber;
    if (!m_url.sentinel) {
        m_subscriber = std::make_unique<SubscriberThread>([url = m_url] { return url; }, m_options);
        return *m_subscriber;
    }
    // Notices are published on the primary; subscribing there (or on any of its replicas)
    // hears them. Each reconnect asks the sentinels where it is now.
    auto next = std::make_shared<std::size_t>(0);
    m_subscriber = std::make_unique<SubscriberThread>([this, next] { return lookUpPrimary(*next); },
                                                      m_options);
    return *m_subscriber;
}

RedisStore::Impl::SeenFence RedisStore::Impl::seenFence(const std::string& resource) const {
    std::lock_guard guard(m_fencesMutex);
    const auto it = m_fences.find(resource);
    return it == m_fences.end() ? SeenFence{} : it->second;
}

void RedisStore::Impl::sawFence(const std::string& resource, std::uint64_t fence,
                                const std::string& token) {
    // One entry a resource; a store used for more resources than any election has forgets
    // the others rather than grow without bound (a floor of 0 is the server's own count).
    constexpr std::size_t kMostResources = 10000;
    std::lock_guard guard(m_fencesMutex);
    auto it = m_fences.find(resource);
    if (it == m_fences.end()) {
        if (m_fences.size() >= kMostResources)
            m_fences.erase(m_fences.begin());
        it = m_fences.emplace(resource, SeenFence{}).first;
    }
    if (fence > it->second.fence || (fence == it->second.fence && !token.empty()))
        it->second = {fence, token};
}

RedisUrl RedisStore::Impl::lookUpPrimary(std::size_t& next) const {
    return askSentinels(m_url, m_options, next);
}

void RedisStore::Impl::watchFailovers() {
    // Any sentinel announces a failover it took part in: one watcher, moved to the next
    // sentinel whenever its connection fails.
    auto next = std::make_shared<std::size_t>(0);
    m_failoverWatch = std::make_unique<SubscriberThread>(
        [this, next] {
            const std::size_t at = (*next)++ % m_url.sentinels.size();
            return m_url.sentinelServer(m_url.sentinels[at]);
        },
        m_options, Peer::Sentinel);
    m_failoverSubscription =
        m_failoverWatch->add(kSwitchMasterChannel, [this](const std::string& payload) {
            if (switchedPrimary(payload, m_url.masterName))
                onFailover();
        });
}

void RedisStore::Impl::onFailover() {
    // The command connection is re-made on its next call (a call may hold m_mutex for a whole
    // command timeout now: never wait for it here); the subscriber moves at once.
    m_failovers.fetch_add(1);
    std::lock_guard guard(m_subscriberMutex);
    if (m_subscriber)
        m_subscriber->reconnect();
}

void RedisStore::Impl::connect() {
    if (!m_url.sentinel) {
        m_ctx = connectTo(m_url, m_options, true);
    } else {
        m_failoversHandled = m_failovers.load();
        const RedisUrl primary = lookUpPrimary(m_nextSentinel);
        Context c = connectTo(primary, m_options, true);
        requirePrimary(c.get(), primary, m_url, m_options);
        m_ctx = std::move(c);
        std::lock_guard guard(m_targetMutex);
        m_target = primary;
    }
    try {
        loadScripts();
    } catch (...) {
        m_ctx.reset();
        throw;
    }
}

void RedisStore::Impl::loadScripts() {
    for (int i = 0; i < ScriptCount; ++i) {
        Reply r = command(m_ctx.get(), {"SCRIPT", "LOAD", kScripts[i]});
        if (!r)
            lose(contextError(m_ctx.get(), m_options.commandTimeout));
        if (r->type == REDIS_REPLY_ERROR)
            throw StoreError("cannot load Baton's scripts on " + endpoint() + ": " +
                             explainAccess(m_url, "SCRIPT LOAD", replyText(r.get())));
        if (r->type != REDIS_REPLY_STRING)
            throw StoreError("cannot load Baton's scripts on " + endpoint() + ": odd reply");
        m_shas[i] = replyText(r.get());
    }
}

void RedisStore::Impl::ensureConnected() {
    if (m_url.sentinel && m_failovers.load() != m_failoversHandled) {
        // The sentinels announced a new primary: go there now, whatever the backoff said.
        m_failoversHandled = m_failovers.load();
        m_ctx.reset();
        m_nextTry = SteadyClock::instance().now();
        m_backoff = m_options.reconnectBackoffMin;
    }
    if (m_ctx)
        return;
    const TimePoint now = SteadyClock::instance().now();
    if (now < m_nextTry)
        throw StoreError("not connected to " + endpoint() + " (" + m_lastError + "); next try in " +
                         ms(m_nextTry - now) + " ms");
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

void RedisStore::Impl::lose(const std::string& why) {
    m_ctx.reset();
    m_lastError = why;
    // The first reconnect is tried at once; backoff only grows when reconnecting fails. With
    // Sentinel it asks the sentinels again: the primary may have moved.
    m_nextTry = SteadyClock::instance().now();
    throw StoreError("lost the connection to " + endpoint() + ": " + why +
                     "; it is re-made on the next call");
}

} // namespace baton
