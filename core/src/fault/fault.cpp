#include "baton/fault/fault.h"

#include <array>
#include <cstdio>

namespace baton {

namespace {

constexpr std::array<std::string_view, kFaultKinds> kFaultNames = {
    "crash",     "restart", "stop",    "start",  "pause", "resume",
    "partition", "heal",    "latency", "timing", "drift",
};

} // namespace

std::string_view faultName(FaultKind kind) {
    return kFaultNames.at(static_cast<std::size_t>(kind));
}

std::optional<FaultKind> faultKind(std::string_view name) {
    for (std::size_t i = 0; i < kFaultNames.size(); ++i)
        if (kFaultNames[i] == name)
            return static_cast<FaultKind>(i);
    return std::nullopt;
}

bool isLasting(FaultKind kind) {
    return kind == FaultKind::Crash || kind == FaultKind::Stop || kind == FaultKind::Pause ||
           kind == FaultKind::Partition || kind == FaultKind::Latency;
}

std::optional<FaultKind> endingFault(FaultKind kind) {
    switch (kind) {
    case FaultKind::Crash:
        return FaultKind::Restart;
    case FaultKind::Stop:
        return FaultKind::Start;
    case FaultKind::Pause:
        return FaultKind::Resume;
    case FaultKind::Partition:
        return FaultKind::Heal;
    default:
        return std::nullopt;
    }
}

std::string clockRateError(double rate) {
    if (rate > faultLimits::kSlowestClock && rate < faultLimits::kFastestClock)
        return {};
    char text[96];
    std::snprintf(text, sizeof text, "a clock rate must be in (%g, %g), got %g",
                  faultLimits::kSlowestClock, faultLimits::kFastestClock, rate);
    return text;
}

std::string faultStrengthError(FaultKind kind, Duration duration, Duration extra, double rate) {
    if (duration.count() < 0)
        return "the duration must not be negative";
    if (isLasting(kind) && duration > faultLimits::kLongest)
        return "the duration must be at most 24h, got " + formatDuration(duration);
    if (kind == FaultKind::Latency) {
        if (extra.count() <= 0)
            return "the added latency must be positive";
        if (extra > faultLimits::kMostLatency)
            return "the added latency must be at most 10s, got " + formatDuration(extra);
    }
    if (kind == FaultKind::Drift)
        return clockRateError(rate);
    return {};
}

std::string faultUnavailable(FaultKind kind, const FaultSubject& s) {
    switch (kind) {
    case FaultKind::Crash:
    case FaultKind::Stop:
        return s.running ? std::string() : "it is not running";
    case FaultKind::Restart:
    case FaultKind::Start:
        return s.running ? "it is running" : std::string();
    case FaultKind::Pause:
        if (!s.running)
            return "it is not running";
        return s.paused ? "it is paused already" : std::string();
    case FaultKind::Resume:
        return s.paused ? std::string() : "it is not paused";
    case FaultKind::Partition:
        if (!s.running)
            return "it is not running";
        return s.partitioned ? "it is partitioned already" : std::string();
    case FaultKind::Heal:
        return s.partitioned ? std::string() : "it is not partitioned";
    case FaultKind::Latency: // they take effect whenever it runs
    case FaultKind::Drift:
    case FaultKind::Timing:
        return {};
    }
    return {};
}

} // namespace baton
