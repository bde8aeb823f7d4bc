#pragma once
// The fault vocabulary, in one place for the simulator, the lab's backends, the agent's control
// messages and the inspector: the kinds of fault, which of them last and what ends them, the
// limits of their strength, and what an elector can undergo now (or why not).

#include "baton/base/clock.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton {

enum class FaultKind : std::uint8_t {
    Crash,     ///< the process dies: no release, in-flight answers are lost
    Restart,   ///< a crashed (or stopped) elector comes back with a fresh machine
    Stop,      ///< graceful stop: revoke, then release
    Start,     ///< a stopped (or crashed) elector starts again
    Pause,     ///< no steps, no callbacks (a GC pause, SIGSTOP); its clock runs on
    Resume,    ///< a paused elector runs again and handles what arrived meanwhile
    Partition, ///< store calls fail (or hang until the command timeout)
    Heal,      ///< a partition ends
    Latency,   ///< a latency spike: every store call and notice takes `extra` longer
    Timing,    ///< live change of ttl, refresh and/or retry interval
    Drift,     ///< the elector's clock runs at `rate` from now on (no jump)
};
inline constexpr int kFaultKinds = 11;

/// "crash", "restart", "stop", "start", "pause", "resume", "partition", "heal", "latency",
/// "timing", "drift".
std::string_view faultName(FaultKind kind);
/// The kind named `name`, if any.
std::optional<FaultKind> faultKind(std::string_view name);

/// A lasting fault is in force for a while and ends by itself after its duration (crash, stop,
/// pause, partition, latency); the others are instants.
bool isLasting(FaultKind kind);
/// The fault that ends a lasting one early (crash: restart, stop: start, pause: resume,
/// partition: heal); none for a latency spike, which only runs out.
std::optional<FaultKind> endingFault(FaultKind kind);

/// The limits of a fault's strength.
namespace faultLimits {
/// Clock rates are within (kSlowestClock, kFastestClock), bounds excluded.
inline constexpr double kSlowestClock = 0.5;
inline constexpr double kFastestClock = 2.0;
/// The longest pause, partition or latency spike the lab and the agents accept.
inline constexpr Duration kLongest = std::chrono::hours(24);
/// The largest latency the lab adds to a store trip.
inline constexpr Duration kMostLatency = std::chrono::seconds(10);
} // namespace faultLimits

/// The rule a fault's strength breaks, or "" when it is fine: a negative or too long duration,
/// a latency spike that adds nothing or too much, a clock rate out of range.
std::string faultStrengthError(FaultKind kind, Duration duration, Duration extra = {},
                               double rate = 1.0);
/// A clock rate's rule, or "" when `rate` is in range.
std::string clockRateError(double rate);

/// Where an elector stands, as far as faults care.
struct FaultSubject {
    bool running = false; ///< started and not crashed or stopped
    bool paused = false;
    bool partitioned = false;
};

/// Why `kind` cannot strike `subject` now ("it is not running", "it is paused already", ...),
/// or "" when it can. What a kind of elector cannot undergo at all is its own to add.
std::string faultUnavailable(FaultKind kind, const FaultSubject& subject);

} // namespace baton
