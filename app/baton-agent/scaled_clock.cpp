#include "scaled_clock.h"

#include <cmath>

namespace agent {

ScaledClock::ScaledClock(double rate)
    : m_rate(rate)
    , m_origin(std::chrono::steady_clock::now()) {}

baton::TimePoint ScaledClock::now() const {
    if (m_rate == 1)
        return std::chrono::steady_clock::now();
    const double elapsed = double((std::chrono::steady_clock::now() - m_origin).count());
    return m_origin + baton::Duration(std::llround(elapsed * m_rate));
}

void ScaledClock::wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       baton::TimePoint deadline) const {
    // The local deadline as a true one: the moment this clock will read `deadline`.
    const double local = double((deadline - m_origin).count());
    const double trueNs = local / m_rate;
    if (deadline == baton::TimePoint::max() || trueNs > 9e18) {
        cv.wait(lock);
        return;
    }
    cv.wait_until(lock, m_origin + baton::Duration(std::llround(trueNs)));
}

double ScaledClock::unixMs(baton::TimePoint at) const {
    const double localMs = std::chrono::duration<double, std::milli>(now() - at).count();
    return baton::unixMsNow() - localMs / m_rate;
}

} // namespace agent
