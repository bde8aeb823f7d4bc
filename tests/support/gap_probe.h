#pragma once
// Watches the thread it lives on for stalls: a timer that should tick every `intervalMs`, and
// the gap between each tick and the one before it. A stall of the thread shows as a long gap.

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <vector>

namespace baton::test {

class GapProbe {
public:
    explicit GapProbe(int intervalMs, Qt::TimerType type = Qt::CoarseTimer) {
        m_timer.setInterval(intervalMs);
        m_timer.setTimerType(type);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            m_gaps.push_back(double(m_sinceLast.nsecsElapsed()) / 1e6);
            m_sinceLast.restart();
        });
    }
    void start() {
        m_gaps.clear();
        m_sinceLast.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    /// Every gap between ticks, in milliseconds.
    const std::vector<double>& gaps() const { return m_gaps; }
    /// The longest gap, in milliseconds (0 before the first tick).
    double worst() const {
        return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end());
    }

private:
    QTimer m_timer;
    QElapsedTimer m_sinceLast;
    std::vector<double> m_gaps;
};

} // namespace baton::test
