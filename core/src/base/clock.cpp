#include "baton/base/clock.h"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace baton {

const SteadyClock& SteadyClock::instance() {
    static const SteadyClock clock;
    return clock;
}

void SteadyClock::wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       TimePoint deadline) const {
    if (deadline == TimePoint::max())
        cv.wait(lock);
    else
        cv.wait_until(lock, deadline);
}

ManualClock::ManualClock(TimePoint start)
    : m_now(start.time_since_epoch().count()) {}

void ManualClock::wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       TimePoint deadline) const {
    // Time moves only in advance(), which runs every listener; a waiter registers one that
    // notifies its condition variable, so a plain wait is enough.
    if (now() < deadline)
        cv.wait(lock);
}

std::uint64_t ManualClock::addListener(std::function<void()> fn) const {
    std::lock_guard guard(m_listenersMutex);
    const auto id = m_nextId++;
    m_listeners.emplace(id, std::move(fn));
    return id;
}

void ManualClock::removeListener(std::uint64_t id) const {
    std::lock_guard guard(m_listenersMutex);
    m_listeners.erase(id);
}

void ManualClock::advance(Duration d) {
    if (d.count() > 0)
        advanceTo(now() + d);
}

void ManualClock::advanceTo(TimePoint t) {
    const auto target = t.time_since_epoch().count();
    auto current = m_now.load();
    while (current < target && !m_now.compare_exchange_weak(current, target)) {
    }
    // Listeners run under the listener lock so that removeListener() waits for a running one.
    std::lock_guard guard(m_listenersMutex);
    for (auto& [id, fn] : m_listeners)
        fn();
}

TimePoint saturatingAdd(TimePoint t, Duration d) {
    if (d.count() > 0 && t > TimePoint::max() - d)
        return TimePoint::max();
    if (d.count() < 0 && t < TimePoint::min() - d)
        return TimePoint::min();
    return t + d;
}

std::string formatDuration(Duration d) {
    const auto ns = d.count();
    const char* sign = ns < 0 ? "-" : "";
    const auto a = ns < 0 ? -ns : ns;
    struct Unit {
        std::int64_t ns;
        const char* suffix;
    };
    static constexpr Unit units[] = {{3600'000'000'000, "h"}, {60'000'000'000, "m"},
                                     {1'000'000'000, "s"},    {1'000'000, "ms"},
                                     {1'000, "us"},           {1, "ns"}};
    for (const auto& u : units) {
        if (a % u.ns == 0 && a >= u.ns) {
            std::string out(sign);
            out.append(std::to_string(a / u.ns));
            out.append(u.suffix);
            return out;
        }
    }
    return "0ms";
}

Duration parseDuration(const std::string& text) {
    auto fail = [&](const std::string& why) -> Duration {
        throw std::invalid_argument("bad duration '" + text + "': " + why +
                                    " (use a number with a unit: 250us, 1500ms, 1.5s, 2m, 1h; "
                                    "a bare number is milliseconds)");
    };
    if (text.empty())
        return fail("empty");
    double value = 0;
    const char* first = text.data();
    if (*first == '+')
        ++first;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        return fail("too large");
    if (ec != std::errc() || end == first)
        return fail("no number");
    if (!std::isfinite(value))
        return fail("not a finite number");
    const std::string unit(end, text.data() + text.size());
    double scale = 0;
    if (unit.empty() || unit == "ms")
        scale = 1e6;
    else if (unit == "ns")
        scale = 1;
    else if (unit == "us")
        scale = 1e3;
    else if (unit == "s")
        scale = 1e9;
    else if (unit == "m" || unit == "min")
        scale = 60e9;
    else if (unit == "h")
        scale = 3600e9;
    else if (unit == "d")
        scale = 86400e9;
    else
        return fail("unknown unit '" + unit + "'");
    const double ns = value * scale;
    if (std::fabs(ns) > 9.2e18)
        return fail("too large");
    return Duration(static_cast<std::int64_t>(std::llround(ns)));
}

double unixMsNow() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double unixMs(TimePoint at, const Clock& clock) {
    return unixMsNow() - std::chrono::duration<double, std::milli>(clock.now() - at).count();
}

} // namespace baton
