#pragma once
// A thread that runs tasks one after another: the Redis backend's store calls and Election
// lifecycle calls, which may block for a command timeout, never run on the backend's thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace baton::lab {

class SerialWorker {
public:
    SerialWorker()
        : m_thread([this] { run(); }) {}
    /// Runs what is queued, then joins.
    ~SerialWorker() {
        {
            std::lock_guard guard(m_mutex);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    SerialWorker(const SerialWorker&) = delete;
    SerialWorker& operator=(const SerialWorker&) = delete;

    /// Queues `task` behind the ones already posted.
    void post(std::function<void()> task) {
        {
            std::lock_guard guard(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_cv.notify_all();
    }

private:
    void run() {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_cv.wait(lock, [this] { return m_quit || !m_tasks.empty(); });
            if (m_tasks.empty())
                return;
            std::function<void()> task = std::move(m_tasks.front());
            m_tasks.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_tasks;
    bool m_quit = false;
    std::thread m_thread; // last: starts once the rest is built
};

} // namespace baton::lab
