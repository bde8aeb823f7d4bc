#include "baton/redis/redis_store.h"

#include "redis_access.h"
#include "redis_carried.h"
#include "redis_store_impl.h"

#include "baton/wire/lock_value.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <cstdlib>
#include <vector>

namespace baton {

using namespace redis_detail;

namespace {

using namespace std::chrono_literals;

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
    // Every event of every elector comes on this channel: only a text that names a release is
    // parsed (once per subscriber). Somebody else's text that only looks like one stays a message.
    if (payload.find("\"released\"") == std::string::npos)
        return n;
    if (const auto notice = wire::decodeReleaseNotice(payload)) {
        n.kind = Notice::Kind::Released;
        n.identity = notice->id;
        n.fence = notice->fence;
    }
    return n;
}

} // namespace

int RedisStore::clusterSlot(const std::string& k) {
    return keySlot(k);
}

std::string RedisStore::key(const std::string& resource, const std::string& kind) {
    // Redis Cluster hashes what lies between a key's first '{' and the first '}' after it; when
    // that is empty it hashes the whole key, and lock and fence scatter over slots (CROSSSLOT).
    // Only a name that starts with '}' (or is empty) does that: it gets an escaped tag behind
    // another prefix, so it can meet no other name's keys; every other name keeps its keys.
    if (!resource.empty() && resource.front() != '}')
        return "baton:{" + resource + "}:" + kind;
    std::string tag = resource.empty() ? "%" : "";
    for (const char c : resource)
        tag += c == '%' ? "%25" : c == '{' ? "%7B" : c == '}' ? "%7D" : std::string(1, c);
    return "baton:%{" + tag + "}:" + kind;
}

std::string defaultRedisUrl() {
    const char* env = std::getenv("REDIS_URL");
    return env && *env ? std::string(env) : std::string("redis://127.0.0.1:6379");
}

namespace {

// The number after `tag` in a script's error, or 0.
std::string numberAfter(const std::string& error, const std::string& tag) {
    const auto at = error.find(tag);
    return at == std::string::npos ? std::string() : error.substr(at + tag.size());
}

// Somebody else's data in a resource's keys, in words with the way out; nullopt otherwise.
std::optional<std::string> garbageMessage(const std::string& resource, const std::string& error) {
    const std::string k = RedisStore::key(resource, "lock");
    const std::string waits =
        ": Baton waits until it expires or is deleted (redis-cli DEL '" + k + "')";
    if (const auto at = error.find("BATON_BAD_FENCE "); at != std::string::npos) {
        const std::string f = RedisStore::key(resource, "fence");
        return f + " is not a fence counter (" + error.substr(at + 16) +
               "): Baton cannot issue a new fence; set it to a whole number at least the last "
               "fence given out (redis-cli SET '" +
               f + "' N), or delete it if no fence is in use (redis-cli DEL '" + f + "')";
    }
    if (error.rfind("WRONGTYPE", 0) == 0)
        return k + " is not a string (somebody made it another type)" + waits;
    if (error.find("BATON_GARBAGE") != std::string::npos)
        return k + " holds a value Baton did not write" + waits;
    if (const std::string n = numberAfter(error, "BATON_TOO_LONG "); !n.empty())
        return k + " holds " + n + " bytes, more than Baton ever writes (at most " +
               std::to_string(kMaxLockValue) + "), so it is not read" + waits;
    if (const std::string n = numberAfter(error, "BATON_LONG_ID "); !n.empty())
        return k + " names a holder id of " + n +
               " bytes, longer than Baton ever writes (at most " + std::to_string(kMaxIdentity) +
               "), so it is not read" + waits;
    return std::nullopt;
}

// Throws a StoreError for an error reply to `command`, the call said as `what`.
void throwIfFailed(const RedisUrl& url, const Reply& r, const char* command,
                   const std::string& what) {
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError(what + ": " + explainAccess(url, command, replyText(r.get())));
}

// Throws a StoreError for an error reply to `what` on `resource`: bad data, a missing
// permission or a read-only replica said with the way out, anything else as it came.
void throwIfError(const RedisUrl& url, const Reply& r, const std::string& resource,
                  const char* what, ScriptId script = ScriptCount) {
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError(errorText(url, r.get(), resource, what, script));
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

namespace redis_detail {

std::vector<std::string> membersArgs() {
    return {std::to_string(kMaxMembers), std::to_string(kMaxIdentity),
            std::to_string(kMaxMemberEntry)};
}

MemberEntries memberEntries(const redisReply* r, const std::string& k) {
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
        throw StoreError("members: unexpected reply for " + k);
    MemberEntries out;
    out.serverMs = static_cast<double>(toInt(r->element[1]));
    for (std::size_t i = 2; i + 1 < r->elements; i += 2) {
        const redisReply* id = r->element[i];
        const redisReply* entry = r->element[i + 1];
        if (entry->type == REDIS_REPLY_STRING) {
            out.entries.emplace_back(replyText(id), replyText(entry));
            continue;
        }
        // The script sends a length in place of an entry too long to be Baton's: negative
        // when it is the id that is too long (then cut to its first 64 bytes).
        const auto length = toInt(entry);
        if (length < 0)
            out.refused.push_back("an id of " + std::to_string(-length) + " bytes in " + k +
                                  " (starting '" + replyText(id) +
                                  "') is longer than Baton ever writes (at most " +
                                  std::to_string(kMaxIdentity) + "), so its entry is not read");
        else
            out.refused.push_back("the entry of '" + replyText(id) + "' in " + k + " holds " +
                                  std::to_string(length) +
                                  " bytes, more than Baton ever writes (at most " +
                                  std::to_string(kMaxMemberEntry) +
                                  "), so it is not read; delete it: redis-cli HDEL '" + k + "' '" +
                                  replyText(id) + "'");
    }
    const auto total = static_cast<std::size_t>(toInt(r->element[0]));
    if (total > kMaxMembers)
        out.refused.push_back(k + " has " + std::to_string(total) + " entries; only " +
                              std::to_string(kMaxMembers) + " are read");
    return out;
}

std::string errorText(const RedisUrl& url, const redisReply* r, const std::string& resource,
                      const char* what, ScriptId script, Access access) {
    const std::string text = replyText(r);
    if (auto garbage = garbageMessage(resource, text))
        return std::string(what) + ": " + *garbage;
    return std::string(what) + ": " +
           explainAccess(url, script == ScriptCount ? what : "EVALSHA", text,
                         script == ScriptCount ? nullptr : kScriptCommands[script], access);
}

} // namespace redis_detail

RedisStore::RedisStore(const std::string& url, RedisOptions options)
    : m_impl(std::make_unique<Impl>(url, options))
    , m_carried(std::make_unique<Carried>()) {}

RedisStore::~RedisStore() = default;

std::string RedisStore::endpoint() const {
    return m_impl->endpoint();
}

namespace {

// An acquire script's answer (its error reply thrown as a StoreError).
AcquireReply acquireAnswer(const RedisUrl& url, const Reply& r, const std::string& resource,
                           const std::string& identity, Duration ttl, ScriptId script) {
    throwIfError(url, r, resource, "acquire", script);
    const std::string from = "acquire: unexpected reply from " + url.redacted();
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
        throw StoreError(from);
    AcquireReply reply;
    if (toInt(r->element[0]) == 1) {
        reply.acquired = true;
        reply.fence = toFence(r->element[1]);
        reply.holder = {identity, reply.fence, ttl};
        return reply;
    }
    if (r->elements < 4)
        throw StoreError(from);
    reply.holder.identity = replyText(r->element[1]);
    reply.holder.fence = toFence(r->element[2]);
    reply.holder.remaining = pttl(r->element[3]);
    return reply;
}

void checkIdentity(const std::string& identity) {
    // Never write a lock value that a reader would refuse as too long.
    if (identity.size() > kMaxIdentity)
        throw StoreError("acquire: the identity is " + std::to_string(identity.size()) +
                         " bytes long, more than " + std::to_string(kMaxIdentity));
}

// Whether a script wrote what replicas must acknowledge (RedisOptions::minReplicas).
bool tookLock(const redisReply* reply) {
    return reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 &&
           reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[0]->integer == 1;
}
bool extended(const redisReply* reply) {
    return reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
}

// A batch call by call: WAIT confirms the writes made before it on its connection, so with
// replica acknowledgement each call is confirmed on its own; and a cluster routes each by slot.
std::vector<RedisStore::LockAnswer> oneByOne(RedisStore& store,
                                             const std::vector<RedisStore::LockCall>& calls) {
    using Kind = RedisStore::LockCall::Kind;
    std::vector<RedisStore::LockAnswer> out(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const RedisStore::LockCall& c = calls[i];
        try {
            if (c.kind == Kind::Acquire)
                out[i].acquire = store.acquire(c.resource, c.token, c.identity, c.ttl);
            else if (c.kind == Kind::Extend)
                out[i].held = store.extend(c.resource, c.token, c.ttl);
            else
                out[i].held = store.release(c.resource, c.token);
        } catch (const StoreError& e) {
            out[i].error = e.what();
        }
    }
    return out;
}

using Kind = RedisStore::LockCall::Kind;

// A lock call's script, keys and arguments (the presence beat not carried yet); `floor`: an
// acquire's fence floor (see checkFloor()). Throws StoreError for a call that cannot be sent.
RedisStore::Impl::Call wireCall(const RedisStore::LockCall& c, std::uint64_t floor) {
    const std::string lock = RedisStore::key(c.resource, "lock");
    if (c.kind == Kind::Extend)
        return {Extend, {lock}, {c.token, msArg(c.ttl, "extend")}};
    if (c.kind == Kind::Release)
        return {Release, {lock}, {c.token, RedisStore::key(c.resource, "events")}};
    std::string ttlMs = msArg(c.ttl, "acquire");
    checkIdentity(c.identity);
    return {Acquire,
            {lock, RedisStore::key(c.resource, "fence")},
            {c.token, c.identity, std::move(ttlMs), std::to_string(floor)}};
}

// A lock call's answer from the reply to `script` (an error reply thrown as a StoreError); an
// acquire's fence is not checked against its floor yet.
RedisStore::LockAnswer answerOf(const RedisUrl& url, const RedisStore::LockCall& c, ScriptId script,
                                const Reply& r) {
    RedisStore::LockAnswer a;
    if (c.kind == Kind::Acquire) {
        a.acquire = acquireAnswer(url, r, c.resource, c.identity, c.ttl, script);
        return a;
    }
    throwIfError(url, r, c.resource, c.kind == Kind::Extend ? "extend" : "release", script);
    a.held = toInt(r.get()) == 1;
    return a;
}

} // namespace

std::uint64_t RedisStore::highestFenceSeen(const std::string& resource) const {
    return m_impl->seenFence(resource).fence;
}

AcquireReply RedisStore::checkFloor(const std::string& resource, const std::string& token,
                                    std::uint64_t floor, const std::string& floorToken,
                                    AcquireReply reply) {
    if (!reply.acquired) {
        m_impl->sawFence(resource, reply.holder.fence);
        return reply;
    }
    // Only a retry of this store's own term may give its fence again (the script keeps above
    // the floor; an older script or a rewritten lock might not).
    if (reply.fence < floor || (reply.fence == floor && floorToken != token)) {
        const bool released = release(resource, token);
        throw StoreError("acquire: " + endpoint() + " issued fence " + std::to_string(reply.fence) +
                         ", not above fence " + std::to_string(floor) +
                         " already seen on this resource (a failover to a replica that "
                         "missed writes, with its clock behind?); refused" +
                         (released ? " and released" : ""));
    }
    m_impl->sawFence(resource, reply.fence, token);
    return reply;
}

AcquireReply RedisStore::acquire(const std::string& resource, const std::string& token,
                                 const std::string& identity, Duration ttl) {
    const LockCall c{Kind::Acquire, resource, token, identity, ttl};
    // The new fence must be above every fence this store has seen on the resource, even on a
    // primary that never had them (a failover to a replica that missed the last writes).
    const Impl::SeenFence seen = m_impl->seenFence(resource);
    Impl::Call w = wireCall(c, seen.fence);
    m_carried->carry(resource, w);
    Reply r = m_impl->evalAcknowledged(w.script, w.keys, w.args, tookLock, "acquire");
    LockAnswer a = answerOf(m_impl->url(), c, w.script, r);
    m_carried->answered(resource, w.script);
    return checkFloor(resource, token, seen.fence, seen.token, std::move(a.acquire));
}

std::vector<RedisStore::LockAnswer> RedisStore::lockBatch(const std::vector<LockCall>& calls) {
    // A pipeline goes to one server: on a cluster the resources' slots may be on several.
    if (m_impl->options().minReplicas > 0 || m_impl->url().cluster)
        return oneByOne(*this, calls);
    // Each call as acquire(), extend() or release() makes it, all sent in one round trip, each
    // answer read as there.
    struct Sent {
        std::size_t index;    // in `calls`
        Impl::SeenFence seen; // an acquire's fence floor when it was sent
    };
    std::vector<LockAnswer> out(calls.size());
    std::vector<Impl::Call> wire;
    std::vector<Sent> sent;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const LockCall& c = calls[i];
        try {
            Impl::SeenFence seen =
                c.kind == Kind::Acquire ? m_impl->seenFence(c.resource) : Impl::SeenFence{};
            Impl::Call w = wireCall(c, seen.fence);
            m_carried->carry(c.resource, w);
            wire.push_back(std::move(w));
            sent.push_back({i, std::move(seen)});
        } catch (const StoreError& e) {
            out[i].error = e.what();
        }
    }
    if (wire.empty())
        return out;
    std::vector<Reply> replies;
    try {
        replies = m_impl->pipeline(wire);
    } catch (const StoreError& e) { // the link failed: no answer is known
        for (const Sent& s : sent)
            out[s.index].error = e.what();
        return out;
    }
    for (std::size_t k = 0; k < sent.size(); ++k) {
        const LockCall& c = calls[sent[k].index];
        LockAnswer& a = out[sent[k].index];
        try {
            a = answerOf(m_impl->url(), c, wire[k].script, replies[k]);
            m_carried->answered(c.resource, wire[k].script);
            if (c.kind == Kind::Acquire)
                a.acquire = checkFloor(c.resource, c.token, sent[k].seen.fence, sent[k].seen.token,
                                       std::move(a.acquire));
        } catch (const StoreError& e) {
            a.error = e.what();
        }
    }
    return out;
}

bool RedisStore::extend(const std::string& resource, const std::string& token, Duration ttl) {
    const LockCall c{Kind::Extend, resource, token, {}, ttl};
    Impl::Call w = wireCall(c, 0);
    m_carried->carry(resource, w);
    Reply r = m_impl->evalAcknowledged(w.script, w.keys, w.args, extended, "extend");
    const bool held = answerOf(m_impl->url(), c, w.script, r).held;
    m_carried->answered(resource, w.script);
    return held;
}

bool RedisStore::release(const std::string& resource, const std::string& token) {
    const LockCall c{Kind::Release, resource, token, {}, {}};
    const Impl::Call w = wireCall(c, 0);
    return answerOf(m_impl->url(), c, w.script, m_impl->eval(w.script, w.keys, w.args)).held;
}

std::optional<LockInfo> RedisStore::inspect(const std::string& resource) {
    Reply r = m_impl->eval(Inspect, {key(resource, "lock")}, {});
    throwIfError(m_impl->url(), r, resource, "inspect", Inspect);
    if (r->type != REDIS_REPLY_ARRAY)
        throw StoreError("inspect: unexpected reply from " + endpoint());
    if (r->elements < 3)
        return std::nullopt;
    LockInfo info{replyText(r->element[0]), toFence(r->element[1]), pttl(r->element[2])};
    m_impl->sawFence(resource, info.fence);
    return info;
}

void RedisStore::publish(const std::string& resource, const std::string& payload) {
    Reply r = m_impl->run({m_impl->publishVerb(), key(resource, "events"), payload});
    throwIfError(m_impl->url(), r, resource, "PUBLISH");
}

Subscription RedisStore::subscribe(const std::string& resource,
                                   std::function<void(const Notice&)> fn) {
    Impl* impl = m_impl.get();
    const std::string channel = key(resource, "events");
    return m_impl->subscriber(channel).add(
        channel, [impl, resource, fn = std::move(fn)](const std::string& payload) {
            const Notice notice = toNotice(resource, payload);
            if (notice.kind == Notice::Kind::Released)
                impl->sawFence(resource, notice.fence);
            fn(notice);
        });
}

Subscription RedisStore::subscribeChannel(const std::string& channel,
                                          std::function<void(const std::string&)> fn) {
    return m_impl->subscriber(channel).add(channel, std::move(fn));
}

void RedisStore::publishChannel(const std::string& channel, const std::string& payload) {
    Reply r = m_impl->run({m_impl->publishVerb(), channel, payload});
    throwIfFailed(m_impl->url(), r, "PUBLISH", "publish to " + channel);
}

void RedisStore::hset(const std::string& k, const std::string& field, const std::string& value) {
    Reply r = m_impl->run({"HSET", k, field, value});
    throwIfFailed(m_impl->url(), r, "HSET", "hset " + k);
}

bool RedisStore::hdel(const std::string& k, const std::string& field) {
    Reply r = m_impl->run({"HDEL", k, field});
    throwIfFailed(m_impl->url(), r, "HDEL", "hdel " + k);
    return toInt(r.get()) > 0;
}

std::vector<std::pair<std::string, std::string>> RedisStore::hgetall(const std::string& k) {
    Reply r = m_impl->run({"HGETALL", k});
    throwIfFailed(m_impl->url(), r, "HGETALL", "hgetall " + k);
    std::vector<std::pair<std::string, std::string>> out;
    if (r->type != REDIS_REPLY_ARRAY)
        return out;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2)
        out.emplace_back(replyText(r->element[i]), replyText(r->element[i + 1]));
    return out;
}

int RedisStore::heartbeat(const std::string& resource, const std::string& id,
                          const std::string& entry, Duration life) {
    if (id.size() > kMaxIdentity || entry.size() > kMaxMemberEntry)
        throw StoreError("heartbeat: an id or entry longer than Baton reads back");
    Reply r = m_impl->eval(Heartbeat, {key(resource, "members")},
                           {id, entry, msArg(life, "heartbeat"), std::to_string(kMaxMembers)});
    throwIfError(m_impl->url(), r, resource, "heartbeat", Heartbeat);
    return static_cast<int>(toInt(r.get()));
}

MemberEntries RedisStore::members(const std::string& resource) {
    const std::string k = key(resource, "members");
    Reply r = m_impl->eval(Members, {k}, membersArgs());
    throwIfError(m_impl->url(), r, resource, "members", Members);
    return memberEntries(r.get(), k);
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
    throwIfFailed(m_impl->url(), r, "SET", "set " + k);
}

bool RedisStore::del(const std::string& k) {
    Reply r = m_impl->run({"DEL", k});
    throwIfFailed(m_impl->url(), r, "DEL", "del " + k);
    return toInt(r.get()) > 0;
}

} // namespace baton
