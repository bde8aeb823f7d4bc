#pragma once
// Every point of a sweep in one sortable table: its timing, whether it waited for the replica,
// its failover, its overlaps and fence violations (red when unsafe), its spurious losses and load.

#include <baton/sim/tuner.h>

#include <QTableWidget>

namespace baton::lab {

class TuningPointsTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column : int {
        Ttl,
        Refresh,
        Retry,
        Wait, ///< WAIT's replicas, "-" without
        FailoverP99,
        Overlaps,
        FenceViolations,
        Spurious,
        WithoutLeader,
        StoreLoad,
        Count,
    };
    /// The point index of a row's items, beside the display text; Qt::UserRole holds the raw
    /// value a column sorts by.
    static constexpr int kPointRole = Qt::UserRole + 1;

    explicit TuningPointsTable(QWidget* parent = nullptr);

    void setResult(const TuningResult& result);
    /// The row showing `point`, or -1 (rows move when sorted).
    int rowOf(std::size_t point) const;

Q_SIGNALS:
    void pointClicked(std::size_t point);
};

} // namespace baton::lab
