// Test support: preloaded (LD_PRELOAD) into a redis-server to shift its wall clock by
// $BATON_CLOCK_SHIFT_SECONDS, as a machine whose clock is off would be. libfaketime cannot do it
// on Debian 12: its start-up (dlsym) deadlocks inside jemalloc's. So: no allocation, no dlsym;
// the kernel is asked directly, and only the wall clock moves (timeouts stay monotonic).

#include <cstdlib>
#include <ctime>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

namespace {

long shiftSeconds() {
    static const long value = [] {
        const char* text = std::getenv("BATON_CLOCK_SHIFT_SECONDS");
        return text ? std::strtol(text, nullptr, 10) : 0L;
    }();
    return value;
}

} // namespace

extern "C" {

int clock_gettime(clockid_t clock, timespec* ts) noexcept {
    const long result = syscall(SYS_clock_gettime, clock, ts);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE))
        ts->tv_sec += shiftSeconds();
    return static_cast<int>(result);
}

int gettimeofday(timeval* tv, void*) noexcept {
    timespec ts{};
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

time_t time(time_t* out) noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}
}
