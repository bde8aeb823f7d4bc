#pragma once
// baton-campaign's command line (CLI11): what to run, for how long, with which faults.

#include <baton/base/clock.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace campaign {

/// Exit codes, as --help states them.
enum Exit : int { Safe = 0, Unsafe = 1, BadUsage = 2, RedisUnreachable = 3 };

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The faults a campaign can inject on real agents.
enum class FaultType { Kill, Pause, Term, Partition, Latency, Drift };
inline constexpr int kFaultTypes = 6;
const char* faultTypeName(FaultType type);

struct Options {
    std::optional<std::string> redis; ///< --redis URL; none: --local-redis
    int agents = 3;
    baton::Duration duration = std::chrono::seconds(60);
    std::uint64_t seed = 0;
    bool seedGiven = false;
    std::vector<FaultType> faults; ///< distinct, in the order given
    baton::Duration ttl = std::chrono::seconds(2);
    baton::Duration refresh = std::chrono::milliseconds(500);
    double drift = 0; ///< largest true clock-rate error the drift fault gives
    double maxDrift = 0.01;
    bool json = false;

    bool has(FaultType type) const;
};

/// Parses argv; --help and --version print and exit 0. Throws UsageError naming the option.
Options parse(int argc, const char* const* argv);

} // namespace campaign
