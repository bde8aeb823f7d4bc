#pragma once
// The typed events of an election.

#include "baton/base/clock.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace baton {

enum class EventType : std::uint8_t {
    Started,
    Elected,
    Extended,
    ExtendFailed,
    Revoked,
    LeaderChanged,
    Stopped,
    Error,
};

/// Why a leader stopped leading.
enum class RevokeReason : std::uint8_t {
    None,
    Lost,    ///< an extend found the lock held by someone else (or gone)
    Expired, ///< the self-fencing deadline passed without a successful extend
    Stopped, ///< stop() was called
    Error,   ///< the deadline passed while the store kept failing
};

struct Event {
    EventType type = EventType::Error;
    TimePoint at;                             ///< on the elector's clock
    std::uint64_t fence = 0;                  ///< Elected, Extended, Revoked, LeaderChanged
    TimePoint deadline;                       ///< Elected, Extended: the new self-fencing deadline
    std::string leader;                       ///< LeaderChanged: identity, empty when none is known
    RevokeReason reason = RevokeReason::None; ///< Revoked
    std::string message;                      ///< Error, ExtendFailed: what went wrong
};

/// "started", "elected", "extended", "extend-failed", "revoked", "leader-changed", ...
std::string_view eventName(EventType type);
/// "lost", "expired", "stopped", "error", or "" for None.
std::string_view reasonName(RevokeReason reason);

} // namespace baton
