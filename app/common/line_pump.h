#pragma once
// Standard output and the ending signals on one (the main) thread, with no thread of its own:
// the election threads queue lines (bounded: past it, dropped and counted), and the main thread
// writes them only when stdout takes them (poll), so a reader who stops reading stalls nothing.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace baton::app {

class LinePump {
public:
    /// `signals` must be blocked in every thread (they are taken through a signalfd).
    explicit LinePump(const sigset_t& signals, std::size_t maxQueued = 100000);
    ~LinePump();
    LinePump(const LinePump&) = delete;
    LinePump& operator=(const LinePump&) = delete;

    /// Any thread: queues one line (a newline is added).
    void push(std::string line);
    /// Main thread: writes queued lines as stdout takes them until one of the signals arrives
    /// (returns it) or `limit` passes (returns 0).
    int serve(std::chrono::nanoseconds limit);
    /// Main thread: writes what is queued; false if stdout did not take it within `limit`.
    bool finish(std::chrono::milliseconds limit);
    std::uint64_t dropped() const;
    /// Whether stdout was found closed or broken (EPIPE): nobody will read what is queued.
    bool readerGone() const { return m_readerGone; }

private:
    bool pending();
    void writeSome();

    const std::size_t m_maxQueued;
    int m_signalFd = -1, m_wakeFd = -1;
    mutable std::mutex m_mutex;
    std::deque<std::string> m_queue;
    std::uint64_t m_dropped = 0;
    std::string m_unwritten;   // main thread only: taken from the queue, not yet written
    bool m_readerGone = false; // main thread only
};

} // namespace baton::app
