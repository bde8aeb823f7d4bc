#pragma once
// The timeline's units: its scale works in seconds as doubles (pixels per second), and it
// prints times as "12.345 s".

#include "backend/lab_types.h"

#include <algorithm>

namespace baton::lab {

/// Seconds as a Duration, clamped far inside what nanoseconds in 64 bits hold.
inline Duration timelineSeconds(double s) {
    s = std::clamp(s, -1e9, 1e9);
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

/// "12.345 s".
inline QString secondsText(LabTime t) {
    return formatSeconds(t) + u" s";
}

} // namespace baton::lab
