#include "baton/sim/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace baton {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The standard normal's 99th percentile: a log-normal with median m has p99 m * e^(sigma * it).
constexpr double kNormalP99 = 2.3263478740408408;

} // namespace

Random::Random(std::uint64_t seed) {
    // splitmix64 spreads any seed (0 included) over the whole state, as xoshiro's authors advise.
    for (auto& s : m_s)
        s = splitmix64(seed);
}

std::uint64_t Random::below(std::uint64_t n) {
    if (n == 0)
        return 0;
    // Rejection keeps it unbiased; std::uniform_int_distribution is not the same everywhere.
    const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
    std::uint64_t x = next();
    while (x >= limit)
        x = next();
    return x % n;
}

Duration Random::between(Duration lo, Duration hi) {
    if (hi <= lo)
        return lo;
    return lo + Duration(static_cast<Duration::rep>(
                    below(static_cast<std::uint64_t>((hi - lo).count()))));
}

Duration Random::logNormal(Duration median, double sigma) {
    // Box-Muller from two uniforms.
    const double u = 1.0 - unit();
    const double z = std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * unit());
    const double factor = std::exp(sigma * std::clamp(z, -5.0, 5.0));
    return Duration(static_cast<Duration::rep>(static_cast<double>(median.count()) * factor));
}

double logNormalSigma(Duration median, Duration p99) {
    if (p99 <= median || median.count() <= 0)
        return 0;
    return std::log(static_cast<double>(p99.count()) / static_cast<double>(median.count())) /
           kNormalP99;
}

} // namespace baton
