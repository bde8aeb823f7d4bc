#include "line_writer.h"

#include <cstdio>

namespace agent {

LineWriter::LineWriter(std::size_t maxQueued)
    : m_maxQueued(maxQueued) {
    m_thread = std::thread([this] { run(); });
}

LineWriter::~LineWriter() {
    if (m_thread.joinable())
        finish(std::chrono::seconds(1));
}

void LineWriter::push(std::string line) {
    {
        std::lock_guard guard(m_mutex);
        if (m_closing)
            return;
        if (m_queue.size() >= m_maxQueued) {
            ++m_dropped;
            return;
        }
        m_queue.push_back(std::move(line));
    }
    m_cv.notify_one();
}

std::uint64_t LineWriter::dropped() const {
    std::lock_guard guard(m_mutex);
    return m_dropped;
}

bool LineWriter::finish(std::chrono::milliseconds limit) {
    std::unique_lock lock(m_mutex);
    m_closing = true;
    m_cv.notify_all();
    if (!m_cv.wait_for(lock, limit, [this] { return m_done; })) {
        lock.unlock();
        m_thread.detach(); // blocked in a write nobody reads; the process exits anyway
        return false;
    }
    lock.unlock();
    m_thread.join();
    return true;
}

void LineWriter::run() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [this] { return m_closing || !m_queue.empty(); });
        if (m_queue.empty()) {
            m_done = true;
            m_cv.notify_all();
            return;
        }
        std::string line = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
        lock.lock();
    }
}

} // namespace agent
