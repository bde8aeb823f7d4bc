#pragma once
// Lab time in Redis mode: wall time since the backend began, read on the steady clock; agents'
// Unix-time stamps are converted to it.

#include "backend/lab_types.h"

#include <baton/base/clock.h>
#include <baton/redis/presence.h>

#include <algorithm>
#include <cstdint>

namespace baton::lab {

/// A duration in whole milliseconds (what control messages and QProcess waits take).
inline std::int64_t millis(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

inline TimePoint steadyNow() {
    return SteadyClock::instance().now();
}

class LabClock {
public:
    /// Lab time starts now.
    void begin() { m_begin = steadyNow(); }
    LabTime now() const { return steadyNow() - m_begin; }
    LabTime at(TimePoint t) const { return t - m_begin; }
    /// Agents stamp Unix time: measured from now on both clocks, so that the wall clock's
    /// adjustments since begin() do not shift it.
    LabTime fromUnixMs(double ms) const {
        const auto age = std::chrono::duration_cast<LabTime>(
            std::chrono::duration<double, std::milli>(unixMsNow() - ms));
        return std::max(LabTime{}, now() - age);
    }

private:
    TimePoint m_begin{};
};

} // namespace baton::lab
