#pragma once
// One direction of a proxied connection: bytes read from one socket, held with the time they
// are due, written to the other when due and no fault holds them.

#include "baton/proxy/fault_proxy.h"

#include <cstdint>
#include <deque>
#include <random>
#include <string>

namespace baton::proxy::detail {

using TimePoint = ProxyClock::time_point;

/// The faults in force on one direction, combined: latencies add up, any blackhole holds, the
/// lowest rate wins.
struct Effects {
    std::chrono::nanoseconds latency{0};
    std::chrono::nanoseconds jitter{0};
    bool blackhole = false;
    std::uint64_t bytesPerSecond = 0; ///< 0: unlimited
};

class Pipe {
public:
    /// Bytes held beyond this stop the reading (the sender's kernel buffers fill, as on a real
    /// congested link): memory stays bounded whatever a fault holds.
    static constexpr std::size_t kMaxPending = 1 << 20;

    enum class Read { Ok, Eof, Error };

    /// Reads what `src` has (non-blocking) and stamps it due after the latency in force.
    Read readFrom(int src, TimePoint now, const Effects& effects, std::mt19937_64& random);
    /// Writes to `dst` what is due; false on a write error. Lowers `wake` to when more is due.
    bool flush(int dst, TimePoint now, const Effects& effects, TimePoint& wake,
               std::uint64_t& delivered);

    bool wantsRead() const { return !m_srcEof && m_pending < kMaxPending; }
    bool wantsWrite() const { return m_dstBlocked; }
    /// The source ended and everything before its end was delivered (the end too).
    bool finished() const { return m_eofDelivered; }

private:
    struct Chunk {
        std::string bytes;
        std::size_t offset = 0;
        TimePoint due;
        bool eof = false;
    };
    std::size_t allowance(TimePoint now, const Effects& effects, TimePoint& wake);

    std::deque<Chunk> m_queue;
    std::size_t m_pending = 0;
    TimePoint m_lastDue{};
    bool m_srcEof = false;
    bool m_eofDelivered = false;
    bool m_dstBlocked = false;
    double m_tokens = 0;
    TimePoint m_lastRefill{};
};

} // namespace baton::proxy::detail
