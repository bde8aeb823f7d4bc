#pragma once
// Writes lines to standard output on a thread of its own, so that a reader who stops reading
// (a full pipe) never blocks the election: past a bound, lines are dropped and counted.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace agent {

class LineWriter {
public:
    explicit LineWriter(std::size_t maxQueued = 100000);
    ~LineWriter();

    void push(std::string line);
    /// Writes what is queued and stops; false if that did not finish within `limit` (the
    /// thread is then left behind: the process is about to exit).
    bool finish(std::chrono::milliseconds limit);
    std::uint64_t dropped() const;

private:
    void run();

    const std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::string> m_queue;
    std::uint64_t m_dropped = 0;
    bool m_closing = false;
    bool m_done = false;
    std::thread m_thread;
};

} // namespace agent
