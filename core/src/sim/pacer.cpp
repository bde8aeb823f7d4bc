#include "baton/sim/pacer.h"

namespace baton {

Pacer::Pacer(TimePoint wallNow, TimePoint virtualNow, double speed)
    : m_wallAnchor(wallNow)
    , m_virtualAnchor(virtualNow)
    , m_speed(speed < 0 ? 0.0 : speed) {}

TimePoint Pacer::target(TimePoint wallNow) const {
    const auto wall = wallNow - m_wallAnchor;
    if (wall.count() <= 0 || m_speed == 0.0)
        return m_virtualAnchor;
    return m_virtualAnchor +
           Duration(static_cast<Duration::rep>(static_cast<double>(wall.count()) * m_speed));
}

void Pacer::setSpeed(double speed, TimePoint wallNow) {
    // Re-anchor at the current target so the virtual time never jumps when the speed changes.
    m_virtualAnchor = target(wallNow);
    m_wallAnchor = wallNow;
    m_speed = speed < 0 ? 0.0 : speed;
}

void Pacer::reset(TimePoint wallNow, TimePoint virtualNow) {
    m_wallAnchor = wallNow;
    m_virtualAnchor = virtualNow;
}

} // namespace baton
