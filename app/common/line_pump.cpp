#include "line_pump.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <system_error>
#include <unistd.h>

namespace baton::app {

namespace {

using Clock = std::chrono::steady_clock;

int millisUntil(Clock::time_point end) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(end - Clock::now()).count();
    return int(std::clamp<long long>(left, 0, INT_MAX));
}

} // namespace

LinePump::LinePump(const sigset_t& signals, std::size_t maxQueued)
    : m_maxQueued(maxQueued) {
    m_signalFd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_signalFd < 0 || m_wakeFd < 0)
        throw std::system_error(errno, std::generic_category(), "signalfd/eventfd");
}

LinePump::~LinePump() {
    ::close(m_signalFd);
    ::close(m_wakeFd);
}

void LinePump::push(std::string line) {
    {
        std::lock_guard guard(m_mutex);
        if (m_queue.size() >= m_maxQueued) {
            ++m_dropped;
            return;
        }
        line.push_back('\n');
        m_queue.push_back(std::move(line));
    }
    const std::uint64_t one = 1;
    (void)!::write(m_wakeFd, &one, sizeof one); // a full counter still wakes the poll
}

std::uint64_t LinePump::dropped() const {
    std::lock_guard guard(m_mutex);
    return m_dropped;
}

bool LinePump::pending() {
    if (!m_unwritten.empty())
        return true;
    std::lock_guard guard(m_mutex);
    while (!m_queue.empty() && m_unwritten.size() < PIPE_BUF) {
        m_unwritten += m_queue.front();
        m_queue.pop_front();
    }
    return !m_unwritten.empty();
}

void LinePump::writeSome() {
    // POLLOUT on a pipe means room for PIPE_BUF bytes: a write no larger does not block.
    const std::size_t n = std::min<std::size_t>(m_unwritten.size(), PIPE_BUF);
    const ssize_t done = ::write(STDOUT_FILENO, m_unwritten.data(), n);
    if (done > 0)
        m_unwritten.erase(0, std::size_t(done));
    else if (done < 0 && errno != EINTR && errno != EAGAIN) {
        m_unwritten.clear(); // stdout closed (EPIPE) or broken: nobody reads these lines
        m_readerGone = true;
    }
}

int LinePump::serve(std::chrono::nanoseconds limit) {
    const auto end = Clock::now() + limit;
    while (true) {
        const bool out = pending();
        pollfd fds[3] = {
            {m_signalFd, POLLIN, 0}, {m_wakeFd, POLLIN, 0}, {STDOUT_FILENO, POLLOUT, 0}};
        if (::poll(fds, out ? 3 : 2, millisUntil(end)) < 0 && errno != EINTR)
            return 0;
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(m_signalFd, &info, sizeof info) == ssize_t(sizeof info))
                return int(info.ssi_signo);
        }
        if (fds[1].revents & POLLIN) {
            std::uint64_t count = 0;
            (void)!::read(m_wakeFd, &count, sizeof count);
        }
        // POLLNVAL: stdout is closed; the write fails and drops the lines instead of a spin.
        if (out && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)))
            writeSome();
        if (Clock::now() >= end)
            return 0;
    }
}

bool LinePump::finish(std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (pending()) {
        pollfd fd{STDOUT_FILENO, POLLOUT, 0};
        if (::poll(&fd, 1, millisUntil(end)) <= 0)
            return false;
        writeSome();
    }
    return true;
}

} // namespace baton::app
