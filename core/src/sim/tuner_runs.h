#pragma once
// The tuner's insides: one seed's figures (run, checked, reduced to what a point needs) and
// their sum over a point's seeds.

#include "baton/sim/tuner.h"

#include <optional>
#include <span>
#include <string>

namespace baton::tuner_detail {

struct SeedFigures {
    std::vector<Duration> failovers;    ///< crash to the next election
    std::vector<Duration> beyondExpiry; ///< crash failovers: the lock's expiry to it
    std::vector<Duration> handovers;    ///< graceful stop to the next election
    std::size_t spurious = 0;
    Duration withoutLeader{};
    Duration duration{};
    std::size_t overlaps = 0;
    std::size_t fenceViolations = 0;
    std::uint64_t leaderCalls = 0;
    std::uint64_t followerCalls = 0;
    Duration leading{};   ///< time some elector led
    Duration following{}; ///< elector-time not leading
};

/// Simulates `scenario`, checks it and keeps the figures.
SeedFigures runSeed(const Scenario& scenario);
/// The figures of a point's seeds (those not run, after a cancel, are left out).
PointResult aggregate(const TuningPoint& point, std::span<const std::optional<SeedFigures>> seeds);

/// "0.25", "2": a number with up to 4 significant digits.
std::string printedNumber(double v);

} // namespace baton::tuner_detail

namespace baton {
using tuner_detail::printedNumber;
}
