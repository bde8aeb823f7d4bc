#include "baton/sim/random_faults.h"

#include "baton/sim/random.h"

#include <cmath>

namespace baton {

using namespace std::chrono_literals;

std::vector<Fault> randomFaults(const Scenario& scenario, std::uint64_t seed,
                                const RandomFaultOptions& options) {
    Random random(seed ^ 0x6661756c7473ULL);
    std::vector<Fault> faults;
    const Duration ttl = scenario.timing.ttl;
    const double meanGap = static_cast<double>(options.meanGap.count());
    Duration t{};
    while (true) {
        // Exponential gaps: faults arrive as a Poisson process.
        t += Duration(static_cast<Duration::rep>(-std::log(1.0 - random.unit()) * meanGap));
        if (t >= scenario.duration)
            break;
        Fault f;
        f.at = t;
        if (random.chance(options.leaderShare)) {
            f.target.kind = FaultTarget::Kind::Leader;
        } else {
            f.target.kind = FaultTarget::Kind::Elector;
            f.target.index =
                static_cast<int>(random.below(static_cast<std::uint64_t>(scenario.electors)));
        }
        const double pick = random.unit();
        if (pick < 0.20) {
            f.kind = FaultKind::Crash;
            f.duration = random.between(1s, 60s);
        } else if (pick < 0.35) {
            f.kind = FaultKind::Stop;
            f.duration = random.between(1s, 30s);
        } else if (pick < 0.55) {
            // Short pauses (a GC hiccup) and pauses longer than the TTL (a stop-the-world GC).
            f.kind = FaultKind::Pause;
            f.duration =
                random.chance(0.5) ? random.between(10ms, ttl / 2) : random.between(ttl, ttl * 3);
        } else if (pick < 0.75) {
            f.kind = FaultKind::Partition;
            f.mode = random.chance(0.5) ? Fault::PartitionMode::Fail : Fault::PartitionMode::Hang;
            f.duration = random.between(ttl / 5, ttl * 3);
        } else if (pick < 0.90) {
            f.kind = FaultKind::Latency;
            f.extra = random.between(20ms, 1500ms);
            f.duration = random.between(1s, 30s);
        } else {
            f.kind = FaultKind::Timing;
            if (random.chance(0.3))
                f.target.kind = FaultTarget::Kind::All;
            const Duration newTtl = random.between(2s, 10s);
            f.ttl = newTtl;
            f.refresh = random.between(newTtl / 10, newTtl / 3);
            f.retry = random.between(200ms, 2s);
        }
        faults.push_back(f);
    }
    return faults;
}

} // namespace baton
