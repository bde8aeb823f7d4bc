#include "baton/election/config.h"

#include <cmath>
#include <sstream>
#include <unistd.h>

namespace baton {

namespace {

[[noreturn]] void reject(const std::string& field, const std::string& value,
                         const std::string& rule) {
    throw ConfigError(field, "invalid " + field + " = " + value + ": " + rule);
}

} // namespace

void validate(const Timing& timing) {
    // A bound that keeps every deadline far from overflow, and past any sensible lease.
    constexpr Duration kLongest = std::chrono::hours(24 * 7);
    auto notTooLong = [&](const char* field, Duration d) {
        if (d > kLongest)
            reject(field, formatDuration(d), "must be at most 7d (168h)");
    };
    notTooLong("ttl", timing.ttl);
    notTooLong("refreshInterval", timing.refreshInterval);
    notTooLong("retryInterval", timing.retryInterval);
    // Positive but shorter than a millisecond would flood the store (a follower retrying every
    // nanosecond sent 6,350 requests a second); zero and negative get their own rules below.
    constexpr Duration kShortest = std::chrono::milliseconds(1);
    auto notTooShort = [&](const char* field, Duration d) {
        if (d.count() > 0 && d < kShortest)
            reject(field, formatDuration(d),
                   "must be at least 1ms: a shorter interval would flood the store with requests");
    };
    notTooShort("ttl", timing.ttl);
    notTooShort("refreshInterval", timing.refreshInterval);
    notTooShort("retryInterval", timing.retryInterval);
    if (timing.ttl.count() <= 0)
        reject("ttl", formatDuration(timing.ttl),
               "must be positive (it is how long the lock lives without a refresh; try 5s)");
    if (timing.refreshInterval.count() <= 0)
        reject("refreshInterval", formatDuration(timing.refreshInterval),
               "must be positive (try ttl / 5)");
    if (timing.refreshInterval * 2 >= timing.ttl)
        reject("refreshInterval", formatDuration(timing.refreshInterval),
               "must be below ttl / 2 = " + formatDuration(timing.ttl / 2) +
                   ", so that a leader can miss one refresh and still keep the lock");
    if (timing.retryInterval.count() <= 0)
        reject("retryInterval", formatDuration(timing.retryInterval),
               "must be positive (a follower's longest wait between tries; try 1s)");
}

void validate(const Config& config) {
    if (config.resource.empty())
        reject("resource", "\"\"", "must not be empty (name the thing to elect a leader for)");
    if (config.identity.size() > 1024)
        reject("identity", std::to_string(config.identity.size()) + " bytes",
               "must be at most 1024 bytes (it is written into the lock and every event)");
    validate(config.timing);
    if (!(config.maxClockDrift >= 0.0 && config.maxClockDrift < 0.5)) {
        std::ostringstream value;
        value << config.maxClockDrift;
        reject("maxClockDrift", value.str(),
               "must be in [0, 0.5): the largest clock-rate difference between electors, "
               "e.g. 0.01 for 1%");
    }
}

std::string defaultIdentity() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        return "baton-" + std::to_string(::getpid());
    return std::string(host) + "-" + std::to_string(::getpid());
}

} // namespace baton
