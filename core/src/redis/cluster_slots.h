#pragma once
// Redis Cluster routing for the store: a key's hash slot (CRC16 as Redis computes it, with the
// {tag} rule), the map of slots to primaries (CLUSTER SLOTS), and MOVED/ASK replies read.

#include "redis_connection.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace baton::redis_detail {

inline constexpr int kSlotCount = 16384;

/// The slot of `key`: CRC16 (XMODEM) of the key, or of its first non-empty {tag}, mod 16384.
int keySlot(const std::string& key);

/// The slot a command's first key is in, or -1 when it has no key (INFO, ROLE, SCAN, ...).
int commandSlot(const std::vector<std::string>& args);

/// "host:port" of a node (IPv6 in brackets).
std::string nodeName(const RedisHost& node);

/// Which primary serves each slot, as the cluster said last.
class SlotMap {
public:
    bool empty() const { return m_primaries.empty(); }
    /// The primary of `slot`; any known primary for -1 or a slot nobody serves.
    std::optional<RedisHost> owner(int slot) const;
    /// Every primary known (each one once).
    const std::vector<RedisHost>& primaries() const { return m_primaries; }
    /// Moves one slot to `node` (a MOVED answer) until the next full refresh.
    void assign(int slot, const RedisHost& node);
    /// Reads a CLUSTER SLOTS reply of the node at `asked` (an empty address is its own);
    /// false when it is not one.
    bool read(const redisReply* reply, const std::string& asked);

private:
    std::size_t indexOf(const RedisHost& node);

    std::vector<RedisHost> m_primaries;
    std::array<std::int16_t, kSlotCount> m_owner{}; // index into m_primaries + 1; 0: nobody
};

/// Asks the nodes of `seeds` in turn (from `next` on) for the slot map; throws StoreError with
/// every node's answer when none gives one (or says it is not a cluster node).
SlotMap fetchSlotMap(const RedisUrl& url, const std::vector<RedisHost>& seeds,
                     const RedisOptions& options, std::size_t& next);

/// A redirection: "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381".
struct Redirect {
    bool ask = false;
    int slot = 0;
    RedisHost node;
};
std::optional<Redirect> redirectOf(const redisReply* reply);

} // namespace baton::redis_detail
