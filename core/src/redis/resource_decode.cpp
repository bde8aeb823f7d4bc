// The resource directory's pure half: key names and what the server returned, decoded without
// I/O (so every odd key or value can be tested, and none of them throws).

#include "baton/base/text.h"
#include "baton/redis/observer.h"
#include "baton/redis/resource_directory.h"
#include "baton/wire/lock_value.h"

#include <algorithm>

namespace baton::directory {

namespace {

// Undoes RedisStore::key's escape of a tag ("%" alone is the empty name).
std::optional<std::string> unescapeTag(const std::string& tag) {
    if (tag == "%")
        return std::string();
    std::string out;
    for (std::size_t i = 0; i < tag.size(); ++i) {
        if (tag[i] != '%') {
            out += tag[i];
            continue;
        }
        const std::string code = tag.substr(i + 1, 2);
        if (code == "25")
            out += '%';
        else if (code == "7B")
            out += '{';
        else if (code == "7D")
            out += '}';
        else
            return std::nullopt;
        i += 2;
    }
    // Only a name that is empty or starts with '}' is written escaped.
    if (out.empty() || out.front() != '}')
        return std::nullopt;
    return out;
}

void addError(ResourceInfo& info, const std::string& why) {
    info.error += (info.error.empty() ? "" : "; ") + why;
}

std::optional<Duration> ttlOf(std::int64_t pttl) {
    if (pttl < 0)
        return std::nullopt;
    return std::chrono::milliseconds(pttl);
}

} // namespace

std::optional<std::string> resourceOfKey(const std::string& key, const std::string& kind) {
    const std::string suffix = "}:" + kind;
    for (const std::string prefix : {"baton:{", "baton:%{"}) {
        if (key.size() < prefix.size() + suffix.size() || key.rfind(prefix, 0) != 0 ||
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::string middle = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
        if (prefix == "baton:%{")
            return unescapeTag(middle);
        if (middle.empty() || middle.front() == '}')
            return std::nullopt; // RedisStore::key writes such a name escaped
        return middle;
    }
    return std::nullopt;
}

bool live(const MemberInfo& m, double serverMs, double nowMs) {
    // The Observer's rule (sooner than the expiry, on the reader's clock), and the expiry the
    // server wrote on its own clock: an entry past it is stale whatever the clocks say.
    // Entries of older agents have no expiry.
    if (!Observer::alive(m, nowMs))
        return false;
    return m.expiresMs <= 0 || serverMs <= 0 || serverMs <= m.expiresMs;
}

ResourceInfo decodeResource(const std::string& name, const RawResource& raw) {
    ResourceInfo info;
    info.name = name;
    info.key = RedisStore::key(name, "lock");
    if (!raw.lockError.empty()) {
        addError(info, raw.lockError);
    } else if (raw.lockValue) {
        const auto lock = wire::decodeLockValue(*raw.lockValue);
        if (lock) {
            info.holder = lock->id;
            info.fence = lock->fence;
            info.ttl = ttlOf(raw.pttl);
            if (!info.ttl)
                addError(info, info.key + " has no expiry: it is not Baton's, or was changed");
        } else {
            addError(info, info.key + " holds a value Baton did not write (" + lock.error() +
                               "): " + visible(*raw.lockValue, 80));
        }
    }
    for (const auto& [id, json] : raw.members) {
        auto m = wire::decodeMember(id, json);
        if (!m)
            addError(info, "member '" + visible(id, 80) + "': " + m.error());
        else if (live(*m, raw.serverMs, raw.readerMs))
            info.members.push_back(*std::move(m));
        else
            ++info.expiredMembers;
    }
    for (const std::string& why : raw.refused)
        addError(info, why);
    std::sort(info.members.begin(), info.members.end(),
              [](const MemberInfo& a, const MemberInfo& b) { return a.id < b.id; });
    for (const MemberInfo& m : info.members)
        if (info.held() && m.id == info.holder && m.fence == info.fence && m.termStartMs > 0)
            info.termStartMs = m.termStartMs;
    return info;
}

ResourceInfo decodeForeign(const std::string& key, const RawForeign& raw) {
    ResourceInfo info;
    info.name = key;
    info.key = key;
    info.foreign = true;
    info.ttl = ttlOf(raw.pttl);
    if (raw.type == "none") {
        info.ttl.reset(); // gone between the scan and the read: free
    } else if (raw.type == "string") {
        if (!raw.value)
            addError(info, "a value of " + std::to_string(raw.size) +
                               " bytes: too long to be a lock's holder, not read");
        else if (raw.value->empty())
            addError(info, "an empty value: no holder named");
        else
            info.holder = *raw.value;
    } else if (raw.type == "hash") {
        // Redisson and its kin: {holder: reentry count}, one field while held.
        if (raw.fields.empty() && raw.size > 0)
            addError(info, "a hash of " + std::to_string(raw.size) +
                               " fields: too many to be a lock, not read");
        for (const auto& [field, count] : raw.fields)
            info.holder += (info.holder.empty() ? "" : ", ") + field;
        if (raw.fields.size() > 1)
            addError(info, "a hash of " + std::to_string(raw.fields.size()) +
                               " fields: a lock has one holder");
    } else {
        addError(info, "a " + visible(raw.type, 20) + " key, not a lock (a string or a hash)");
    }
    if (info.held() && !info.ttl)
        addError(info, "no expiry: if its holder died, nobody else will ever get it");
    return info;
}

} // namespace baton::directory
