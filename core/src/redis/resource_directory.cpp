// The resource directory's I/O: SCAN pages (paced), then the found keys read in pipelined
// batches of scripts, one round trip per batch. Decoding is resource_decode.cpp's.

#include "baton/redis/resource_directory.h"

#include "redis_access.h"
#include "redis_store_impl.h"

#include <algorithm>
#include <set>
#include <thread>

namespace baton {

using namespace redis_detail;

namespace {

constexpr std::size_t kBatch = 100;     // resources per pipelined round trip
constexpr std::size_t kMostFields = 16; // a hash lock with more fields is not one

bool isBatons(const std::string& key) {
    return key.rfind("baton:{", 0) == 0 || key.rfind("baton:%{", 0) == 0;
}

// The Look script's reply and the Members script's, as a RawResource.
directory::RawResource rawResource(const RedisUrl& url, const std::string& name,
                                   const redisReply* look, const redisReply* members) {
    directory::RawResource raw;
    raw.readerMs = unixMsNow();
    if (look->type == REDIS_REPLY_ERROR) {
        raw.lockError = errorText(url, look, name, "look", Look, Access::Watch);
    } else if (look->type != REDIS_REPLY_ARRAY || look->elements < 4) {
        raw.lockError = "look: unexpected reply";
    } else {
        const std::string lockKey = RedisStore::key(name, "lock");
        const std::int64_t status = toInt(look->element[0]);
        const std::string value = replyText(look->element[1]);
        if (status == 1)
            raw.lockValue = value;
        else if (status == 2)
            raw.lockError = lockKey + " holds " + std::to_string(toInt(look->element[1])) +
                            " bytes, more than Baton ever writes, so it is not read";
        else if (status == 3)
            raw.lockError = lockKey + " is a " + value + ", not a string: it is not Baton's lock";
        raw.pttl = toInt(look->element[2]);
        raw.serverMs = static_cast<double>(toInt(look->element[3]));
    }
    const std::string membersKey = RedisStore::key(name, "members");
    if (members->type == REDIS_REPLY_ERROR) {
        raw.refused.push_back(
            membersKey + ": " +
            (replyText(members).rfind("WRONGTYPE", 0) == 0
                 ? "not a hash: it is not Baton's presence"
                 : errorText(url, members, name, "members", Members, Access::Watch)));
        return raw;
    }
    try {
        MemberEntries read = memberEntries(members, membersKey);
        raw.members = std::move(read.entries);
        raw.refused = std::move(read.refused);
        if (raw.serverMs == 0)
            raw.serverMs = read.serverMs;
    } catch (const StoreError& e) {
        raw.refused.push_back(e.what());
    }
    return raw;
}

directory::RawForeign rawForeign(const redisReply* r, std::string& error) {
    directory::RawForeign raw;
    if (r->type == REDIS_REPLY_ERROR) {
        error = replyText(r);
        return raw;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
        error = "unexpected reply";
        return raw;
    }
    raw.type = replyText(r->element[0]);
    raw.pttl = toInt(r->element[1]);
    raw.size = static_cast<std::size_t>(std::max<std::int64_t>(0, toInt(r->element[2])));
    if (raw.type == "string" && r->elements > 3)
        raw.value = replyText(r->element[3]);
    if (raw.type == "hash")
        for (std::size_t i = 3; i + 1 < r->elements; i += 2)
            raw.fields.emplace_back(replyText(r->element[i]), replyText(r->element[i + 1]));
    return raw;
}

} // namespace

ResourceDirectory::ResourceDirectory(RedisStore& store, DirectoryOptions options)
    : m_store(store)
    , m_options(std::move(options)) {
    m_options.scanCount = std::max<std::size_t>(1, m_options.scanCount);
}

namespace {

// Every key matching `pattern`, SCAN page by page with a pause between pages; calls `take`
// for each. Stops early when `take` returns false.
template <class Take>
void scanKeys(RedisStore::Impl& impl, const DirectoryOptions& options, const std::string& pattern,
              DirectoryPass& pass, Take take) {
    std::string cursor = "0";
    do {
        if (pass.scanCalls > 0 && options.pause > Duration::zero())
            std::this_thread::sleep_for(options.pause);
        Reply r = impl.run(
            {"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(options.scanCount)});
        ++pass.scanCalls;
        if (r->type == REDIS_REPLY_ERROR)
            throw StoreError(
                "SCAN on " + impl.endpoint() + ": " +
                explainAccess(impl.url(), "SCAN", replyText(r.get()), nullptr, Access::Watch));
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 ||
            r->element[1]->type != REDIS_REPLY_ARRAY)
            throw StoreError("SCAN on " + impl.endpoint() + ": unexpected reply");
        cursor = replyText(r->element[0]);
        const redisReply* keys = r->element[1];
        for (std::size_t i = 0; i < keys->elements; ++i)
            if (!take(replyText(keys->element[i])))
                return;
    } while (cursor != "0");
}

} // namespace

namespace {

// Reads Baton's resources `names` into `pass`, kBatch of them a round trip.
void readBatons(RedisStore::Impl& impl, const std::set<std::string>& names, DirectoryPass& pass) {
    const std::vector<std::string> batons(names.begin(), names.end());
    for (std::size_t at = 0; at < batons.size(); at += kBatch) {
        std::vector<RedisStore::Impl::Call> calls;
        const std::size_t end = std::min(batons.size(), at + kBatch);
        for (std::size_t i = at; i < end; ++i) {
            calls.push_back(
                {Look, {RedisStore::key(batons[i], "lock")}, {std::to_string(kMaxLockValue)}});
            calls.push_back({Members, {RedisStore::key(batons[i], "members")}, membersArgs()});
        }
        const std::vector<Reply> replies = impl.pipeline(calls);
        pass.readCalls += calls.size();
        for (std::size_t i = at; i < end; ++i) {
            const std::size_t k = 2 * (i - at);
            const auto raw =
                rawResource(impl.url(), batons[i], replies[k].get(), replies[k + 1].get());
            if (pass.atMs == 0)
                pass.atMs = raw.serverMs;
            pass.resources.push_back(directory::decodeResource(batons[i], raw));
        }
    }
}

RedisStore::Impl::Call foreignCall(const std::string& key) {
    return {Foreign, {key}, {"1024", std::to_string(kMostFields)}};
}

// The Foreign script's reply for `key` decoded; nullopt when the key is gone (type none).
std::optional<ResourceInfo> foreignInfo(RedisStore::Impl& impl, const std::string& key,
                                        const redisReply* reply) {
    std::string error;
    const auto raw = rawForeign(reply, error);
    if (raw.type == "none")
        return std::nullopt;
    ResourceInfo info = directory::decodeForeign(key, raw);
    if (!error.empty())
        info.error =
            explainAccess(impl.url(), "EVALSHA", error, kScriptCommands[Foreign], Access::Watch);
    return info;
}

// Reads the foreign locks `keys` into `pass`, kBatch of them a round trip.
void readForeign(RedisStore::Impl& impl, const std::set<std::string>& keys, DirectoryPass& pass) {
    const std::vector<std::string> others(keys.begin(), keys.end());
    for (std::size_t at = 0; at < others.size(); at += kBatch) {
        std::vector<RedisStore::Impl::Call> calls;
        const std::size_t end = std::min(others.size(), at + kBatch);
        for (std::size_t i = at; i < end; ++i)
            calls.push_back(foreignCall(others[i]));
        const std::vector<Reply> replies = impl.pipeline(calls);
        pass.readCalls += calls.size();
        for (std::size_t i = at; i < end; ++i)
            if (auto info = foreignInfo(impl, others[i], replies[i - at].get()))
                pass.resources.push_back(*std::move(info));
    }
}

} // namespace

DirectoryPass ResourceDirectory::scan() {
    RedisStore::Impl& impl = *m_store.m_impl;
    if (impl.url().cluster)
        throw StoreError("listing resources (SCAN) is not supported on Redis Cluster yet: "
                         "name the resource to read it (baton-ctl status RESOURCE), or list one "
                         "primary's with redis://host:port");
    DirectoryPass pass;
    std::set<std::string> names;
    std::set<std::string> foreign;
    bool cut = false;
    const auto room = [&] {
        if (names.size() + foreign.size() < m_options.maxResources)
            return true;
        cut = true;
        return false;
    };
    scanKeys(impl, m_options, "baton:*", pass, [&](const std::string& key) {
        auto name = directory::resourceOfKey(key, "lock");
        if (!name)
            name = directory::resourceOfKey(key, "members");
        if (name && !names.count(*name)) {
            if (!room())
                return false;
            names.insert(*name);
        }
        return true;
    });
    for (const std::string& pattern : m_options.foreignPatterns) {
        if (cut)
            break;
        scanKeys(impl, m_options, pattern, pass, [&](const std::string& key) {
            if (isBatons(key) || foreign.count(key))
                return true;
            if (!room())
                return false;
            foreign.insert(key);
            return true;
        });
    }
    if (cut)
        pass.errors.push_back("more than " + std::to_string(m_options.maxResources) +
                              " locks: only the first are shown (narrow the pattern)");

    readBatons(impl, names, pass);
    readForeign(impl, foreign, pass);
    return pass;
}

ResourceInfo ResourceDirectory::read(const std::string& resource) {
    RedisStore::Impl& impl = *m_store.m_impl;
    const std::vector<Reply> replies =
        impl.pipeline({{Look, {RedisStore::key(resource, "lock")}, {std::to_string(kMaxLockValue)}},
                       {Members, {RedisStore::key(resource, "members")}, membersArgs()}});
    return directory::decodeResource(
        resource, rawResource(impl.url(), resource, replies[0].get(), replies[1].get()));
}

ResourceInfo ResourceDirectory::readLock(const std::string& key) {
    RedisStore::Impl& impl = *m_store.m_impl;
    const std::vector<Reply> replies = impl.pipeline({foreignCall(key)});
    if (auto info = foreignInfo(impl, key, replies.at(0).get()))
        return *std::move(info);
    ResourceInfo free; // no such key: nobody holds it
    free.name = key;
    free.key = key;
    free.foreign = true;
    return free;
}

void ResourceDirectory::checkWatch(const std::string& resource) {
    const ResourceInfo info = read(resource);
    if (info.error.find(" may not ") != std::string::npos)
        throw StoreError("cannot watch " + RedisStore::key(resource, "lock") + ": " + info.error);
    checkSubscribe(*m_store.m_impl, RedisStore::key(resource, "events"),
                   "events and release notices come there", Access::Watch);
}

} // namespace baton
