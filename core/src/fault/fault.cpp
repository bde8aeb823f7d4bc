#include "baton/fault/fault.h"

#include "baton/base/enum_names.h"

#include <array>
#include <cstdio>
#include <utility>

namespace baton {

namespace {

constexpr EnumNames<FaultKind, kFaultKinds> kFaultNames{{"crash", "restart", "stop", "start",
                                                         "pause", "resume", "partition", "heal",
                                                         "latency", "timing", "drift"}};

} // namespace

std::string_view faultName(FaultKind kind) {
    return kFaultNames.name(kind);
}

std::optional<FaultKind> faultKind(std::string_view name) {
    return kFaultNames.find(name);
}

bool isLasting(FaultKind kind) {
    return kind == FaultKind::Crash || kind == FaultKind::Stop || kind == FaultKind::Pause ||
           kind == FaultKind::Partition || kind == FaultKind::Latency;
}

std::optional<FaultKind> endingFault(FaultKind kind) {
    static constexpr std::array<std::pair<FaultKind, FaultKind>, 4> endings = {{
        {FaultKind::Crash, FaultKind::Restart},
        {FaultKind::Stop, FaultKind::Start},
        {FaultKind::Pause, FaultKind::Resume},
        {FaultKind::Partition, FaultKind::Heal},
    }};
    for (const auto& [lasting, ending] : endings)
        if (lasting == kind)
            return ending;
    return std::nullopt;
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

namespace {

// A pause or a partition: it needs a running elector that is not in that state yet.
std::string entering(const FaultSubject& s, bool in, std::string_view state) {
    if (!s.running)
        return "it is not running";
    return in ? "it is " + std::string(state) + " already" : std::string();
}

// A resume or a heal: it needs an elector in that state.
std::string leaving(bool in, std::string_view state) {
    return in ? std::string() : "it is not " + std::string(state);
}

} // namespace

std::string faultUnavailable(FaultKind kind, const FaultSubject& s) {
    switch (kind) {
    case FaultKind::Crash:
    case FaultKind::Stop:
        return s.running ? std::string() : "it is not running";
    case FaultKind::Restart:
    case FaultKind::Start:
        return s.running ? "it is running" : std::string();
    case FaultKind::Pause:
        return entering(s, s.paused, "paused");
    case FaultKind::Resume:
        return leaving(s.paused, "paused");
    case FaultKind::Partition:
        return entering(s, s.partitioned, "partitioned");
    case FaultKind::Heal:
        return leaving(s.partitioned, "partitioned");
    case FaultKind::Latency: // they take effect whenever it runs
    case FaultKind::Drift:
    case FaultKind::Timing:
        return {};
    }
    return {};
}

} // namespace baton
