#pragma once
// Time for everything in Baton: a steady clock in production, a manual one in tests and
// simulation. Nothing in the core reads std::chrono clocks directly.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace baton {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::steady_clock::time_point;

/// A source of time that a waiting thread can sleep on.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;

    /// Blocks on `cv` until it is notified or `deadline` has come on this clock. Spurious wakeups
    /// are allowed; callers re-check their state. `lock` must hold the mutex guarding that state.
    virtual void wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                      TimePoint deadline) const = 0;

    /// Registers `fn` to run whenever this clock jumps forward (manual clocks only; a real clock
    /// never calls it). Returns an id for removeListener.
    virtual std::uint64_t addListener(std::function<void()> fn) const = 0;
    virtual void removeListener(std::uint64_t id) const = 0;
};

/// std::chrono::steady_clock.
class SteadyClock final : public Clock {
public:
    static const SteadyClock& instance();
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
    void wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
              TimePoint deadline) const override;
    std::uint64_t addListener(std::function<void()>) const override { return 0; }
    void removeListener(std::uint64_t) const override {}
};

/// A clock that moves only when told to. Thread-safe; waiters wake on every advance.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start = TimePoint{} + std::chrono::hours(1));

    TimePoint now() const override { return TimePoint(Duration(m_now.load())); }
    void wait(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
              TimePoint deadline) const override;
    std::uint64_t addListener(std::function<void()> fn) const override;
    void removeListener(std::uint64_t id) const override;

    /// Moves time forward by `d` (never back) and wakes every waiter.
    void advance(Duration d);
    /// Moves time to `t` if it is later than now, and wakes every waiter.
    void advanceTo(TimePoint t);

private:
    std::atomic<std::int64_t> m_now;
    mutable std::mutex m_listenersMutex;
    mutable std::map<std::uint64_t, std::function<void()>> m_listeners;
    mutable std::uint64_t m_nextId = 1;
};

/// t + d, clamped to the representable range instead of overflowing.
TimePoint saturatingAdd(TimePoint t, Duration d);

/// "1500ms", "5s", "2m", "250us": the shortest exact form of a duration.
std::string formatDuration(Duration d);

/// Parses "1500ms", "1.5s", "5s", "2m", "1h", "24h", "250us", "10ns"; a bare number is
/// milliseconds. Throws std::invalid_argument naming the text and the accepted forms.
Duration parseDuration(const std::string& text);

/// Unix time in milliseconds (fractional): now, and of `at` on `clock`.
double unixMsNow();
double unixMs(TimePoint at, const Clock& clock = SteadyClock::instance());

} // namespace baton
