#pragma once
// What the Tuning window shows of a sweep's point: the figures a heat map can colour by, their
// text, a point's variant (retry, polling, WAIT) and its summary for tooltips and exports.

#include <baton/sim/tuner.h>

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace baton::lab {

enum class TuningFigure : int {
    FailoverP99,  ///< crash failover p99, seconds
    Spurious,     ///< spurious revocations a day
    StoreLoad,    ///< requests per second of the whole cluster
    Unavailable,  ///< time without a leader, seconds a day
    FollowerLoad, ///< requests per second of one follower
    Overlaps,     ///< two leaders at once, over all seeds (a failover of a replicated store)
    Count,
};

QString figureName(TuningFigure figure);
/// The figure's value (lower is better for each).
double figureValue(const PointResult& point, TuningFigure figure, int electors);
QString figureText(const PointResult& point, TuningFigure figure, int electors);

/// "retry = ttl", "retry 1s", "retry 1s, polling", "retry = ttl, WAIT 1": the points a heat
/// map shows together.
QString variantOf(const PointResult& point);
/// The variants of a sweep, in grid order.
QStringList variantsOf(const TuningResult& result);

/// The cells of one variant over ttl (columns) x refresh (rows): the point index of each.
struct HeatGrid {
    std::vector<Duration> ttls;
    QStringList rows; ///< "0.2 ttl" for ratios, "1s" for absolute refreshes
    std::vector<std::vector<std::optional<std::size_t>>> cells; ///< [column][row]
};
HeatGrid heatGrid(const TuningResult& result, const QString& variant);

/// "ttl 5s, refresh 1s, retry 5s": the point's timing.
QString timingText(const Timing& timing, bool pollingOnly);
/// timingText, and ", WAIT 1" for a point that waited for the replica.
QString pointLabel(const TuningPoint& point);
/// Every figure of a point, one a line (tooltips).
QString pointSummary(const PointResult& point, int electors);

} // namespace baton::lab
