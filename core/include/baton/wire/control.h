#pragma once
// Control messages on baton:{R}:control, to agents started with --allow-control:
// {"to": id or "*", "cmd": "set" | "stop" | "pause" | "partition" | "resign", ...}. Durations
// are milliseconds or duration strings ("2s"), at most 24 h.

#include "baton/base/clock.h"
#include "baton/election/config.h"
#include "baton/wire/decoded.h"

#include <optional>
#include <string>
#include <string_view>

namespace baton::wire {

enum class ControlCommand { Set, Stop, Pause, Partition, Resign };

/// "set", "stop", "pause", "partition", "resign".
std::string_view commandName(ControlCommand command);

/// Who a message is for and what it asks, read before the rest: an agent ignores messages for
/// others, and only notes the ones it may not obey, without reading their arguments.
struct ControlHeader {
    std::string to = "*";
    std::string cmd;
    /// Whether elector `id` is addressed ("*" and "all" are everyone).
    bool isFor(const std::string& id) const;
};

struct ControlMessage {
    std::string to = "*";
    ControlCommand command = ControlCommand::Stop;
    std::optional<Duration> ttl, refresh, retry; ///< set: the timings to change
    /// pause, partition: how long; 0 ends it. resign: the hold-off (0: the agent's ttl).
    Duration length{};

    static ControlMessage stop(std::string to);
    static ControlMessage pause(std::string to, Duration length);
    static ControlMessage partition(std::string to, Duration length);
    static ControlMessage set(std::string to, const Timing& timing);
    /// The leader `to` stops leading (its onRevoked returns), releases the lock and stays out
    /// of the election for `holdOff`, so that another member takes over: a safe failover.
    static ControlMessage resign(std::string to, Duration holdOff = {});
    bool operator==(const ControlMessage&) const = default;
};

std::string encode(const ControlMessage& message);
Decoded<ControlHeader> decodeControlHeader(std::string_view text);
Decoded<ControlMessage> decodeControl(std::string_view text);

} // namespace baton::wire
