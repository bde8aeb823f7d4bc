#pragma once
// The failover figures of a run: counts and latencies (last, median, p99) overall and per cause,
// time without a leader, overlaps and store load, and a histogram of failover latencies stacked
// by cause. Reads a FailoverStats; redraws at most a few times a second however busy the run.

#include "stats/failover_stats.h"

#include <QTimer>
#include <QWidget>

#include <array>

class QBarCategoryAxis;
class QChart;
class QChartView;
class QLabel;
class QStackedBarSeries;
class QValueAxis;

namespace baton::lab {

class StatsPanel : public QWidget {
    Q_OBJECT
public:
    /// How long changes are gathered before the panel redraws.
    static constexpr int refreshIntervalMs = 250;

    /// `stats` must outlive the panel.
    explicit StatsPanel(FailoverStats* stats, QWidget* parent = nullptr);

    /// Shows the current figures now (they otherwise follow FailoverStats::changed()).
    void refresh();
    /// The latency histogram (one QStackedBarSeries, a bar set per cause).
    QChart* chart() const { return m_chart; }

    /// "12.3 ms", or a dash when there is nothing to show.
    static QString formatLatency(Duration latency, bool known = true);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct CauseRow {
        QLabel* count = nullptr;
        QLabel* last = nullptr;
        QLabel* median = nullptr;
        QLabel* p99 = nullptr;
    };

    void scheduleRefresh();
    void rebuildChart();
    void applyTheme();

    FailoverStats* m_stats;
    QTimer m_timer;
    bool m_stale = true;
    quint64 m_chartRevision = 0;
    bool m_chartBuilt = false;

    QLabel* m_count = nullptr;
    QLabel* m_last = nullptr;
    QLabel* m_median = nullptr;
    QLabel* m_p99 = nullptr;
    QLabel* m_max = nullptr;
    QLabel* m_now = nullptr;
    QLabel* m_leaderless = nullptr;
    QLabel* m_overlaps = nullptr;
    QLabel* m_fenceOrder = nullptr;
    QLabel* m_storeOps = nullptr;
    std::array<CauseRow, failoverCauseCount> m_causes{};

    QChartView* m_chartView = nullptr;
    QChart* m_chart = nullptr;
    QStackedBarSeries* m_series = nullptr;
    QBarCategoryAxis* m_axisX = nullptr;
    QValueAxis* m_axisY = nullptr;
};

} // namespace baton::lab
