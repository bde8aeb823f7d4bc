#pragma once
// The Tuning window's charts (Qt Charts): failover against store load for every point with the
// front and the recommendation marked, and one point's distributions as histograms.

#include <baton/sim/tuner.h>

#include <QString>

#include <optional>

class QChart;

namespace baton::lab {

/// Crash failover p99 (s) against store load (requests/s): points, front, recommended, unsafe,
/// and `picked` (a clicked point) when set.
QChart* scatterChart(const TuningResult& result, std::optional<std::size_t> picked);
/// A histogram of `samples` in up to 12 bins, titled `title`.
QChart* histogramChart(const std::vector<Duration>& samples, const QString& title);

} // namespace baton::lab
