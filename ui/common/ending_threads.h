#pragma once
// Threads the lab asked to finish (a backend's, a scan's) and waits for when it closes: a
// QThread destroyed while it runs aborts the program, so one that does not end in time is let go.

#include <QElapsedTimer>
#include <QPointer>
#include <QThread>

#include <algorithm>
#include <vector>

namespace baton::lab {

class EndingThreads {
public:
    /// `thread` was asked to quit; forgets the ones already gone.
    void add(QThread* thread) {
        std::erase_if(m_threads, [](const QPointer<QThread>& t) { return t.isNull(); });
        m_threads.emplace_back(thread);
    }
    /// Waits up to `ms` in all; one still running is let go (`what` says whose, in a warning).
    void wait(int ms, const char* what) {
        QElapsedTimer waited;
        waited.start();
        for (const QPointer<QThread>& thread : m_threads) {
            if (!thread || thread->wait(int(std::max<qint64>(0, ms - waited.elapsed()))))
                continue;
            qWarning("baton: %s did not stop within %d ms; leaving it behind", what, ms);
            thread->setParent(nullptr);
        }
        m_threads.clear();
    }

private:
    std::vector<QPointer<QThread>> m_threads;
};

} // namespace baton::lab
