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
    for (int i = 0; i < ScriptCount; ++i) {
        // Sharded pub/sub in a Cluster: a notice is published in the shard of its resource's
        // slot, where the followers listen (SSUBSCRIBE), and nowhere else.
        m_scripts[i] = kScripts[i];
        for (auto at = m_scripts[i].find("'PUBLISH'"); m_url.cluster && at != std::string::npos;
             at = m_scripts[i].find("'PUBLISH'", at + 2))
            m_scripts[i].replace(at + 1, 0, "S");
    }
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
    const RedisUrl now = target();
    if (m_url.cluster)
        return m_url.redacted() +
               (now.cluster ? std::string() : " (node " + nodeName({now.host, now.port}) + ")");
    if (!m_url.sentinel)
        return m_url.redacted();
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
Reply RedisStore::Impl::runOnPrimary(int slot, Send send) {
    std::lock_guard guard(m_mutex);
    if (m_url.cluster) {
        route(slot);
        ensureConnected();
        return followRedirects(slot, send(), send);
    }
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

// Under m_mutex, connected. A slot that moved (MOVED) is sent to its new primary, after the map
// is read again; one being moved (ASK) is tried once on the node it goes to, after ASKING.
template <typename Send>
Reply RedisStore::Impl::followRedirects(int slot, Reply r, Send& send) {
    for (int hop = 0; hop < 5; ++hop) {
        const auto to = redirectOf(r.get());
        if (!to)
            return r;
        if (to->ask) {
            useNode(to->node);
            if (!command(m_ctx.get(), {"ASKING"}))
                lose(contextError(m_ctx.get(), m_options.commandTimeout));
            return send();
        }
        refreshSlots();
        m_slots.assign(to->slot, to->node); // the node that answered knows; gossip may lag
        route(slot);
        ensureConnected();
        r = send();
    }
    return r;
}

void RedisStore::Impl::route(int slot) {
    m_slot = slot;
    if (!m_ctx || m_slots.empty())
        return; // connect() goes to the slot's primary
    const auto owner = m_slots.owner(slot);
    const RedisUrl now = target();
    if (owner && (owner->host != now.host || owner->port != now.port))
        m_idle[nodeName({now.host, now.port})] = std::move(m_ctx);
}

void RedisStore::Impl::useNode(const RedisHost& node) {
    RedisUrl now = target();
    if (m_ctx && now.host == node.host && now.port == node.port)
        return;
    if (m_ctx)
        m_idle[nodeName({now.host, now.port})] = std::move(m_ctx);
    {
        std::lock_guard guard(m_targetMutex);
        m_target = m_url.server(node.host, node.port);
    }
    const auto idle = m_idle.find(nodeName(node));
    if (idle != m_idle.end()) {
        m_ctx = std::move(idle->second);
        m_idle.erase(idle);
        return;
    }
    m_ctx = connectTo(m_url.server(node.host, node.port), m_options, true);
    try {
        loadScripts();
    } catch (...) {
        m_ctx.reset();
        throw;
    }
}

void RedisStore::Impl::refreshSlots() {
    std::vector<RedisHost> seeds = m_slots.primaries();
    seeds.insert(seeds.end(), m_url.nodes.begin(), m_url.nodes.end());
    m_slots = fetchSlotMap(m_url, seeds, m_options, m_nextNode);
    m_slotsStale = false;
    // Connections to nodes that serve no slot any more are closed.
    for (auto it = m_idle.begin(); it != m_idle.end();) {
        const auto& primaries = m_slots.primaries();
        const bool serves =
            std::any_of(primaries.begin(), primaries.end(),
                        [&](const RedisHost& h) { return nodeName(h) == it->first; });
        it = serves ? std::next(it) : m_idle.erase(it);
    }
}

void RedisStore::Impl::connectCluster() {
    if (m_slots.empty() || m_slotsStale)
        refreshSlots();
    try {
        useNode(*m_slots.owner(m_slot));
    } catch (const StoreError&) {
        m_slotsStale = true; // the node may have failed: its replica may serve the slot soon
        throw;
    }
}

RedisUrl RedisStore::Impl::slotPrimary(int slot) const {
    std::size_t next = 0;
    const auto node = fetchSlotMap(m_url, m_url.nodes, m_options, next).owner(slot);
    return m_url.server(node->host, node->port);
}

Reply RedisStore::Impl::run(const std::vector<std::string>& args) {
    return runOnPrimary(commandSlot(args), [&] {
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
    return runOnPrimary(keys.empty() ? -1 : keySlot(keys.front()),
                        [&] { return evalOnce(id, keys, args); });
}

Reply RedisStore::Impl::evalAcknowledged(ScriptId id, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args,
                                         bool (*wrote)(const redisReply*), const char* what) {
    return runOnPrimary(keys.empty() ? -1 : keySlot(keys.front()), [&] {
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

// The resource directory's reads and lockBatch's lock calls. With Sentinel, on the primary the
// sentinels named last (a READONLY answer is returned as it came, not retried: see
// runOnPrimary()). With Cluster, every call must be in one slot (one resource's keys are).
std::vector<Reply> RedisStore::Impl::pipeline(const std::vector<Call>& calls) {
    const int slot =
        calls.empty() || calls.front().keys.empty() ? -1 : keySlot(calls.front().keys.front());
    for (const Call& call : calls)
        if (m_url.cluster && (call.keys.empty() || keySlot(call.keys.front()) != slot))
            throw StoreError("reading many resources at once is not supported on Redis Cluster "
                             "yet (their keys are on different nodes): read one resource at a "
                             "time, or point the URL at one primary (redis://host:port)");
    std::lock_guard guard(m_mutex);
    route(slot);
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
        bool forgotten = false, moved = false;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            Reply r = getReply(m_ctx.get());
            if (!r)
                lose(contextError(m_ctx.get(), m_options.commandTimeout));
            forgotten = forgotten || (r->type == REDIS_REPLY_ERROR &&
                                      replyText(r.get()).rfind("NOSCRIPT", 0) == 0);
            moved = moved || redirectOf(r.get());
            replies.push_back(std::move(r));
        }
        if ((!forgotten && !moved) || attempt > 0)
            return replies;
        if (moved) { // the slot is on another node now: the batch runs there
            refreshSlots();
            route(slot);
            ensureConnected();
        } else {
            loadScripts(); // the server restarted: every reply is read, so the batch runs again
        }
    }
}

SubscriberThread& RedisStore::Impl::subscriber(const std::string& channel) {
    std::lock_guard guard(m_subscriberMutex);
    if (m_url.cluster) {
        // One connection a slot, on its primary now (asked again at each reconnect: a slot
        // that moved away ends its subscriptions there).
        const int slot = keySlot(channel);
        auto& shard = m_shardSubscribers[slot];
        if (!shard)
            shard = std::make_unique<SubscriberThread>([this, slot] { return slotPrimary(slot); },
                                                       m_options, Peer::Server, true);
        return *shard;
    }
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
    if (m_url.cluster) {
        connectCluster();
        return;
    }
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
        Reply r = command(m_ctx.get(), {"SCRIPT", "LOAD", m_scripts[i]});
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
    m_slotsStale = m_url.cluster; // a node may have failed over: read the slot map again
    m_lastError = why;
    // The first reconnect is tried at once; backoff only grows when reconnecting fails. With
    // Sentinel it asks the sentinels again: the primary may have moved.
    m_nextTry = SteadyClock::instance().now();
    throw StoreError("lost the connection to " + endpoint() + ": " + why +
                     "; it is re-made on the next call");
}

} // namespace baton
