#pragma once
// Maps wall-clock time to a virtual-time target at a speed factor, for running a simulation
// paced to real time (x1, slow motion, fast forward). It is told the wall time; it reads none.

#include "baton/base/clock.h"

namespace baton {

class Pacer {
public:
    /// Starts pacing: virtual `virtualNow` corresponds to wall `wallNow`.
    Pacer(TimePoint wallNow, TimePoint virtualNow, double speed = 1.0);

    /// The virtual time a run should have reached at wall time `wallNow`.
    TimePoint target(TimePoint wallNow) const;
    /// Changes the speed from `wallNow` on, without a jump in the target.
    void setSpeed(double speed, TimePoint wallNow);
    double speed() const { return m_speed; }
    /// Holds the target where it is (speed 0) until resumed; resume re-anchors at `wallNow`.
    void pause(TimePoint wallNow) { setSpeed(0.0, wallNow); }
    /// Re-anchors: virtual `virtualNow` is wall `wallNow` (after a step or a jump).
    void reset(TimePoint wallNow, TimePoint virtualNow);

private:
    TimePoint m_wallAnchor;
    TimePoint m_virtualAnchor;
    double m_speed;
};

} // namespace baton
