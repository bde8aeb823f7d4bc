#include "pipe.h"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace baton::proxy::detail {

namespace {

std::chrono::nanoseconds delay(const Effects& effects, std::mt19937_64& random) {
    auto d = effects.latency;
    if (effects.jitter.count() > 0) {
        std::uniform_int_distribution<std::int64_t> spread(-effects.jitter.count(),
                                                           effects.jitter.count());
        d += std::chrono::nanoseconds(spread(random));
    }
    return std::max(d, std::chrono::nanoseconds(0));
}

} // namespace

Pipe::Read Pipe::readFrom(int src, TimePoint now, const Effects& effects, std::mt19937_64& random) {
    char buffer[64 * 1024];
    while (wantsRead()) {
        const ssize_t n = ::recv(src, buffer, sizeof buffer, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? Read::Ok : Read::Error;
        }
        // Jitter never reorders: a byte is never due before one read earlier.
        const TimePoint due = std::max(now + delay(effects, random), m_lastDue);
        m_lastDue = due;
        if (n == 0) {
            m_srcEof = true;
            m_queue.push_back({{}, 0, due, true});
            return Read::Eof;
        }
        m_queue.push_back({std::string(buffer, static_cast<std::size_t>(n)), 0, due, false});
        m_pending += static_cast<std::size_t>(n);
    }
    return Read::Ok;
}

std::size_t Pipe::allowance(TimePoint now, const Effects& effects, TimePoint& wake) {
    const auto elapsed = std::chrono::duration<double>(now - m_lastRefill).count();
    m_lastRefill = now;
    if (effects.bytesPerSecond == 0) {
        m_tokens = 0;
        return SIZE_MAX;
    }
    const double rate = static_cast<double>(effects.bytesPerSecond);
    // A burst of 20 ms worth at most, so a slow link stays slow at every scale.
    const double burst = std::max(1.0, rate / 50);
    m_tokens = std::min(burst, m_tokens + elapsed * rate);
    if (m_tokens >= 1)
        return static_cast<std::size_t>(m_tokens);
    const auto wait = std::chrono::duration<double>((1 - m_tokens) / rate);
    wake = std::min(wake, now + std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
    return 0;
}

bool Pipe::flush(int dst, TimePoint now, const Effects& effects, TimePoint& wake,
                 std::uint64_t& delivered) {
    m_dstBlocked = false;
    if (effects.blackhole)
        return true;
    std::size_t allowed = allowance(now, effects, wake);
    while (!m_queue.empty()) {
        Chunk& c = m_queue.front();
        if (c.due > now) {
            wake = std::min(wake, c.due);
            return true;
        }
        if (c.eof) {
            ::shutdown(dst, SHUT_WR);
            m_eofDelivered = true;
            m_queue.pop_front();
            return true;
        }
        if (allowed == 0) {
            allowance(now, effects, wake); // when the next byte may go
            return true;
        }
        const std::size_t size = std::min(c.bytes.size() - c.offset, allowed);
        const ssize_t n = ::send(dst, c.bytes.data() + c.offset, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                m_dstBlocked = true;
                return true;
            }
            return false;
        }
        const auto sent = static_cast<std::size_t>(n);
        c.offset += sent;
        m_pending -= sent;
        delivered += sent;
        if (allowed != SIZE_MAX) {
            allowed -= sent;
            m_tokens -= static_cast<double>(sent);
        }
        if (c.offset == c.bytes.size())
            m_queue.pop_front();
    }
    return true;
}

} // namespace baton::proxy::detail
