#pragma once
// Compare's picture: the same simulated cluster under the same faults, once with the cluster's
// timing and once with the chosen one, as two strips of leadership over virtual time (who led,
// the gaps without a leader in red, the faults as marks above).

#include <baton/sim/checker.h>

#include <QString>
#include <QWidget>

#include <vector>

namespace baton::lab {

/// One simulated run as the strip shows it.
struct StripRun {
    QString title;
    TimePoint start, end;
    int electors = 0;
    std::vector<LeadershipInterval> terms;
    std::vector<FaultRecord> faults; ///< crashes, stops, pauses and outages that struck
};

/// Simulates `scenario` and keeps what a strip shows.
StripRun stripRun(const QString& title, const Scenario& scenario);

class CompareStrip : public QWidget {
    Q_OBJECT
public:
    explicit CompareStrip(QWidget* parent = nullptr);
    void setRuns(std::vector<StripRun> runs);
    const std::vector<StripRun>& runs() const { return m_runs; }
    QSize sizeHint() const override { return {600, 150}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintRun(QPainter& p, const StripRun& run, const QRect& row) const;
    std::vector<StripRun> m_runs;
};

} // namespace baton::lab
