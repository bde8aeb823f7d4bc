#include "baton/wire/member.h"

#include "json_fields.h"

namespace baton::wire {

using namespace detail;

namespace {

constexpr std::uint64_t kLongestMs = 10'000'000'000; // 115 days: longer is not a timing
constexpr std::uint64_t kLargestPid = 4'294'967'295;

std::uint64_t toMs(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}

Duration millis(const Json& o, const char* key) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(whole(o, key, kLongestMs)));
}

// Only a viewer's hint (which rows to show), so garbage in it costs the hint, not the entry.
std::uint64_t optionalShardCount(const Json& o) {
    try {
        return whole(o, "shardCount", kMostShards);
    } catch (const FieldError&) {
        return 0;
    }
}

} // namespace

std::string encode(const MemberInfo& m) {
    OrderedJson o{{"state", m.state},
                  {"fence", m.fence},
                  {"leader", m.leader},
                  {"ttl", toMs(m.ttl)},
                  {"refresh", toMs(m.refresh)},
                  {"retry", toMs(m.retry)},
                  {"pollingOnly", m.pollingOnly},
                  {"control", m.control},
                  {"host", m.host},
                  {"pid", m.pid},
                  {"seen", m.seenMs}};
    if (m.termStartMs > 0)
        o["since"] = m.termStartMs;
    if (m.expiresMs > 0)
        o["exp"] = m.expiresMs;
    if (m.shardsLed > 0)
        o["shards"] = m.shardsLed;
    if (m.shardCount > 0 && m.shardCount <= kMostShards)
        o["shardCount"] = m.shardCount;
    return dump(o);
}

Decoded<MemberInfo> decodeMember(const std::string& id, std::string_view text) {
    return decodeWith<MemberInfo>("not a member entry", [&] {
        const Json o = parseObject(text);
        MemberInfo m;
        m.id = id;
        m.state = string(o, "state", "follower");
        m.fence = whole(o, "fence");
        m.leader = string(o, "leader");
        m.ttl = millis(o, "ttl");
        m.refresh = millis(o, "refresh");
        m.retry = millis(o, "retry");
        m.pollingOnly = boolean(o, "pollingOnly");
        m.control = boolean(o, "control");
        m.host = string(o, "host");
        m.pid = static_cast<std::int64_t>(whole(o, "pid", kLargestPid));
        m.seenMs = number(o, "seen", 0, 1e15);
        m.termStartMs = number(o, "since", 0, 1e15);
        m.expiresMs = number(o, "exp", 0, 1e15);
        m.shardsLed = whole(o, "shards");
        m.shardCount = optionalShardCount(o);
        if (!has(o, "seen") || m.ttl.count() <= 0)
            throw FieldError("needs \"seen\" and a positive \"ttl\"");
        return m;
    });
}

} // namespace baton::wire
