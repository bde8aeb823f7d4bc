#include "cluster_slots.h"

#include <algorithm>
#include <cstdlib>

namespace baton::redis_detail {

namespace {

std::uint16_t crc16(const char* data, std::size_t len) {
    // CRC-16/XMODEM (polynomial 0x1021, initial 0): the one Redis Cluster uses for key slots.
    std::uint16_t crc = 0;
    for (std::size_t i = 0; i < len; ++i) {
        crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(data[i]) << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

std::optional<RedisHost> parseNode(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const int port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535)
        return std::nullopt;
    return RedisHost{host, port};
}

} // namespace

int keySlot(const std::string& key) {
    const auto open = key.find('{');
    if (open != std::string::npos) {
        const auto close = key.find('}', open + 1);
        if (close != std::string::npos && close > open + 1)
            return crc16(key.data() + open + 1, close - open - 1) % kSlotCount;
    }
    return crc16(key.data(), key.size()) % kSlotCount;
}

int commandSlot(const std::vector<std::string>& args) {
    if (args.size() < 2)
        return -1;
    static const char* const keyless[] = {"INFO", "ROLE", "PING", "SCAN", "CLUSTER", "WAIT"};
    for (const char* name : keyless)
        if (args[0] == name)
            return -1;
    return keySlot(args[1]);
}

std::string nodeName(const RedisHost& node) {
    return (node.host.find(':') != std::string::npos ? "[" + node.host + "]" : node.host) + ":" +
           std::to_string(node.port);
}

std::optional<RedisHost> SlotMap::owner(int slot) const {
    if (slot >= 0 && slot < kSlotCount && m_owner[static_cast<std::size_t>(slot)] > 0)
        return m_primaries[static_cast<std::size_t>(m_owner[static_cast<std::size_t>(slot)] - 1)];
    if (m_primaries.empty())
        return std::nullopt;
    return m_primaries.front();
}

std::size_t SlotMap::indexOf(const RedisHost& node) {
    const auto it = std::find_if(m_primaries.begin(), m_primaries.end(), [&](const RedisHost& h) {
        return h.host == node.host && h.port == node.port;
    });
    if (it != m_primaries.end())
        return static_cast<std::size_t>(it - m_primaries.begin());
    m_primaries.push_back(node);
    return m_primaries.size() - 1;
}

void SlotMap::assign(int slot, const RedisHost& node) {
    if (slot >= 0 && slot < kSlotCount)
        m_owner[static_cast<std::size_t>(slot)] = static_cast<std::int16_t>(indexOf(node) + 1);
}

bool SlotMap::read(const redisReply* reply, const std::string& asked) {
    if (!reply || reply->type != REDIS_REPLY_ARRAY)
        return false;
    SlotMap fresh;
    for (std::size_t i = 0; i < reply->elements; ++i) {
        const redisReply* range = reply->element[i];
        if (range->type != REDIS_REPLY_ARRAY || range->elements < 3 ||
            range->element[0]->type != REDIS_REPLY_INTEGER ||
            range->element[1]->type != REDIS_REPLY_INTEGER ||
            range->element[2]->type != REDIS_REPLY_ARRAY || range->element[2]->elements < 2)
            return false;
        const redisReply* primary = range->element[2];
        if (primary->element[0]->type != REDIS_REPLY_STRING ||
            primary->element[1]->type != REDIS_REPLY_INTEGER)
            return false;
        std::string host = replyText(primary->element[0]);
        if (host.empty() || host == "?")
            host = asked; // the node does not know its own address: it is the one asked
        const auto first = std::clamp<long long>(range->element[0]->integer, 0, kSlotCount - 1);
        const auto last = std::clamp<long long>(range->element[1]->integer, 0, kSlotCount - 1);
        const RedisHost node{host, static_cast<int>(primary->element[1]->integer)};
        for (long long slot = first; slot <= last; ++slot)
            fresh.assign(static_cast<int>(slot), node);
    }
    if (fresh.empty())
        return false;
    *this = fresh;
    return true;
}

SlotMap fetchSlotMap(const RedisUrl& url, const std::vector<RedisHost>& seeds,
                     const RedisOptions& options, std::size_t& next) {
    std::string answers;
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        const RedisHost& seed = seeds[(next + i) % seeds.size()];
        std::string why;
        try {
            Context c = connectTo(url.server(seed.host, seed.port), options, false);
            Reply r = command(c.get(), {"CLUSTER", "SLOTS"});
            SlotMap map;
            if (!r)
                why =
                    "no answer to CLUSTER SLOTS: " + contextError(c.get(), options.commandTimeout);
            else if (r->type == REDIS_REPLY_ERROR)
                why = replyText(r.get()).find("cluster support disabled") != std::string::npos
                          ? "not a cluster node (cluster support disabled): reach a lone "
                            "server with redis://host:port"
                          : "CLUSTER SLOTS refused: " + replyText(r.get());
            else if (!map.read(r.get(), seed.host))
                why = "no slots served yet (is the cluster created? redis-cli --cluster create)";
            else {
                next = (next + i) % seeds.size();
                return map;
            }
        } catch (const StoreError& e) {
            why = e.what();
        }
        answers += (answers.empty() ? "" : "; ") + nodeName(seed) + ": " + why;
    }
    next = (next + 1) % std::max<std::size_t>(1, seeds.size());
    throw StoreError("cannot read the slot map of " + url.redacted() + ": " + answers);
}

std::optional<Redirect> redirectOf(const redisReply* reply) {
    if (!reply || reply->type != REDIS_REPLY_ERROR)
        return std::nullopt;
    const std::string text = replyText(reply);
    const bool ask = text.rfind("ASK ", 0) == 0;
    if (!ask && text.rfind("MOVED ", 0) != 0)
        return std::nullopt;
    const auto space = text.find(' ', ask ? 4 : 6);
    if (space == std::string::npos)
        return std::nullopt;
    const auto node = parseNode(text.substr(space + 1));
    if (!node)
        return std::nullopt;
    return Redirect{ask, std::atoi(text.c_str() + (ask ? 4 : 6)), *node};
}

} // namespace baton::redis_detail
