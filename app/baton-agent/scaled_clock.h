#pragma once
// --clock-rate: a steady clock that runs at `rate` local seconds per true second from the moment
// it is made (no jump), so that one real process can drift as a simulated elector does. For
// demonstrations and tests only.

#include <baton/base/clock.h>

namespace agent {

class ScaledClock final : public baton::Clock {
public:
    /// `rate` > 0: 0.8 is a clock that loses 12 s a minute.
    explicit ScaledClock(double rate);

    baton::TimePoint now() const override;
    void wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
              baton::TimePoint deadline) const override;
    std::uint64_t addListener(std::function<void()>) const override { return 0; }
    void removeListener(std::uint64_t) const override {}

    /// The true Unix time (ms) at which this clock reads (or read) `at`: what event lines print,
    /// so that lines of agents on one host compare on one time line whatever their rates.
    double unixMs(baton::TimePoint at) const;
    double rate() const { return m_rate; }

private:
    double m_rate;
    baton::TimePoint m_origin; // where local and true time agree
};

} // namespace agent
