#pragma once
// A small seeded pseudo-random generator (xoshiro256**, seeded by splitmix64) whose output is
// the same on every platform and library version, so simulated runs replay bit for bit.

#include "baton/base/clock.h"

#include <bit>
#include <cstdint>

namespace baton {

class Random {
public:
    explicit Random(std::uint64_t seed);

    /// The next 64 random bits. Inline: the simulator draws two for every store call.
    std::uint64_t next() {
        const std::uint64_t result = std::rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = std::rotl(m_s[3], 45);
        return result;
    }
    /// A number in [0, 1): the top 53 bits make an exactly representable double.
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// An integer in [0, n); 0 when n is 0.
    std::uint64_t below(std::uint64_t n);
    /// A number in [lo, hi).
    double between(double lo, double hi) { return lo + (hi - lo) * unit(); }
    /// A duration in [lo, hi).
    Duration between(Duration lo, Duration hi);
    /// True with probability p.
    bool chance(double p) { return unit() < p; }
    /// `median` times a log-normal factor of spread `sigma` (its median 1), the tail cut at 5
    /// sigma so that no draw is absurd: a latency or a lag with a tail.
    Duration logNormal(Duration median, double sigma);

private:
    std::uint64_t m_s[4];
};

/// The spread of the log-normal whose median is `median` and 99th percentile `p99`, for
/// Random::logNormal; 0 (no tail) unless p99 > median > 0.
double logNormalSigma(Duration median, Duration p99);

} // namespace baton
