#pragma once
// What an election is told: the seed's Config{resource, ttl, refreshInterval, onElected,
// onRevoked} (the three timings together in a Timing), plus identity, clock drift allowance
// and more callbacks.

#include "baton/base/clock.h"
#include "baton/election/event.h"

#include <array>
#include <functional>
#include <stdexcept>
#include <string>

namespace baton {

using namespace std::chrono_literals;

/// The timings of an election; these can change while it runs (Election::setTiming).
struct Timing {
    Duration ttl = 5s;             ///< how long a lock lives without a refresh
    Duration refreshInterval = 1s; ///< how often a leader extends; must be below ttl / 2
    /// A follower's longest wait between tries. It also wakes at the holder's expiry and on a
    /// release notice, so a long wait costs no failover time: the default, the ttl's default,
    /// makes a healthy follower cost one request per TTL.
    Duration retryInterval = 5s;
};

/// A Timing field by the short name that scenario files, control messages, reports and command
/// lines give it: "ttl", "refresh" or "retry".
struct TimingField {
    const char* name;
    Duration Timing::*field;
};
inline constexpr std::array<TimingField, 3> kTimingFields = {{{"ttl", &Timing::ttl},
                                                              {"refresh", &Timing::refreshInterval},
                                                              {"retry", &Timing::retryInterval}}};

struct Config {
    std::string resource;
    std::string identity;            ///< empty: defaultIdentity() (host-pid)
    Timing timing;                   ///< ttl, refresh and retry interval
    double maxClockDrift = 0.01;     ///< largest clock-rate difference assumed, in [0, 0.5)
    bool pollingOnly = false;        ///< behave like the seed: followers only poll every retry
    std::function<void()> onElected; ///< this elector now leads (isLeader() is true)
    std::function<void()> onRevoked; ///< this elector stopped leading (isLeader() is false)
    /// The leader as this elector last saw it changed (empty identity: nobody known).
    std::function<void(const std::string& identity, std::uint64_t fence)> onLeaderChanged;
    /// Every event, after the callbacks above.
    std::function<void(const Event&)> onEvent;
};

/// A config that breaks a rule: names the field, the value and the rule.
class ConfigError : public std::invalid_argument {
public:
    ConfigError(std::string field, const std::string& message)
        : std::invalid_argument(message)
        , m_field(std::move(field)) {}
    const std::string& field() const { return m_field; }

private:
    std::string m_field;
};

/// Throws ConfigError for the first broken rule.
void validate(const Config& config);
void validate(const Timing& timing);

/// "<hostname>-<pid>".
std::string defaultIdentity();

} // namespace baton
