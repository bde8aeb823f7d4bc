#include "tuning/tuning_figures.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace baton::lab {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("TuningFigures", text);
}

double secondsOf(Duration d) {
    return std::chrono::duration<double>(d).count();
}

QString secondsText(Duration d) {
    const double s = secondsOf(d);
    if (s < 1)
        return QString::number(s * 1000, 'g', 3) + QStringLiteral(" ms");
    return QString::number(s, 'g', 4) + QStringLiteral(" s");
}

QString ratioLabel(double ratio) {
    return QString::number(ratio, 'g', 3) + u" ttl";
}

} // namespace

QString figureName(TuningFigure figure) {
    switch (figure) {
    case TuningFigure::FailoverP99:
        return tr("Crash failover p99");
    case TuningFigure::Spurious:
        return tr("Spurious revocations / day");
    case TuningFigure::StoreLoad:
        return tr("Store load (requests/s, all electors)");
    case TuningFigure::Unavailable:
        return tr("Time without leader / day");
    case TuningFigure::FollowerLoad:
        return tr("Follower load (requests/s)");
    case TuningFigure::Overlaps:
        return tr("Overlapping leaders (all seeds)");
    case TuningFigure::Count:
        break;
    }
    return {};
}

double figureValue(const PointResult& p, TuningFigure figure, int electors) {
    switch (figure) {
    case TuningFigure::FailoverP99:
        return secondsOf(p.failover.count ? p.failover.p99 : p.bounds.worstCrashFailover);
    case TuningFigure::Spurious:
        return p.spuriousPerDay;
    case TuningFigure::StoreLoad:
        return p.storeLoad(electors);
    case TuningFigure::Unavailable:
        return secondsOf(p.unavailablePerDay);
    case TuningFigure::FollowerLoad:
        return p.followerRequests;
    case TuningFigure::Overlaps:
        return static_cast<double>(p.overlaps);
    case TuningFigure::Count:
        break;
    }
    return 0;
}

QString figureText(const PointResult& p, TuningFigure figure, int electors) {
    const double v = figureValue(p, figure, electors);
    switch (figure) {
    case TuningFigure::FailoverP99:
    case TuningFigure::Unavailable:
        return secondsText(Duration(static_cast<Duration::rep>(v * 1e9)));
    default:
        return QString::number(v, 'g', 3);
    }
}

QString variantOf(const PointResult& p) {
    const Timing& t = p.point.timing;
    QString text =
        t.retryInterval == t.ttl
            ? tr("retry = ttl")
            : tr("retry %1").arg(QString::fromStdString(formatDuration(t.retryInterval)));
    if (p.point.pollingOnly)
        text += tr(", polling");
    if (p.point.minReplicas > 0)
        text += tr(", WAIT %1").arg(p.point.minReplicas);
    return text;
}

QStringList variantsOf(const TuningResult& r) {
    QStringList out;
    for (const PointResult& p : r.points)
        if (!out.contains(variantOf(p)))
            out << variantOf(p);
    return out;
}

HeatGrid heatGrid(const TuningResult& r, const QString& variant) {
    HeatGrid g;
    const TuningGrid& grid = r.request.grid;
    const bool ratios = !grid.refreshRatios.empty();
    for (double ratio : grid.refreshRatios)
        g.rows << ratioLabel(ratio);
    for (Duration refresh : grid.refreshes)
        if (!ratios)
            g.rows << QString::fromStdString(formatDuration(refresh));
    g.ttls = grid.ttls;
    g.rows.removeDuplicates();
    std::sort(g.ttls.begin(), g.ttls.end());
    g.ttls.erase(std::unique(g.ttls.begin(), g.ttls.end()), g.ttls.end());
    g.cells.assign(g.ttls.size(), std::vector<std::optional<std::size_t>>(
                                      static_cast<std::size_t>(g.rows.size())));
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        const PointResult& p = r.points[i];
        if (variantOf(p) != variant)
            continue;
        const Timing& t = p.point.timing;
        const auto column = std::find(g.ttls.begin(), g.ttls.end(), t.ttl) - g.ttls.begin();
        qsizetype row = -1;
        if (ratios) {
            // The row of the ratio this refresh was made from (rounding aside).
            double best = 1e9;
            for (std::size_t k = 0; k < grid.refreshRatios.size(); ++k) {
                const double off = std::abs(secondsOf(t.refreshInterval) / secondsOf(t.ttl) -
                                            grid.refreshRatios[k]);
                if (off < best) {
                    best = off;
                    row = g.rows.indexOf(ratioLabel(grid.refreshRatios[k]));
                }
            }
        } else {
            row = g.rows.indexOf(QString::fromStdString(formatDuration(t.refreshInterval)));
        }
        if (row >= 0 && static_cast<std::size_t>(column) < g.ttls.size())
            g.cells[static_cast<std::size_t>(column)][static_cast<std::size_t>(row)] = i;
    }
    return g;
}

QString timingText(const Timing& t, bool pollingOnly) {
    return tr("ttl %1, refresh %2, retry %3%4")
        .arg(QString::fromStdString(formatDuration(t.ttl)),
             QString::fromStdString(formatDuration(t.refreshInterval)),
             QString::fromStdString(formatDuration(t.retryInterval)),
             pollingOnly ? tr(", polling only") : QString());
}

QString pointLabel(const TuningPoint& point) {
    QString text = timingText(point.timing, point.pollingOnly);
    if (point.minReplicas > 0)
        text += tr(", WAIT %1").arg(point.minReplicas);
    return text;
}

QString pointSummary(const PointResult& p, int electors) {
    QStringList lines;
    lines << pointLabel(p.point);
    lines << tr("crash failover: p50 %1, p99 %2, max %3 (%4 crashes); bound %5")
                 .arg(secondsText(p.failover.median), secondsText(p.failover.p99),
                      secondsText(p.failover.max))
                 .arg(p.failover.count)
                 .arg(secondsText(p.bounds.worstCrashFailover));
    lines << tr("beyond the lock's expiry: p99 %1").arg(secondsText(p.beyondExpiry.p99));
    lines << tr("graceful handover: p50 %1, p99 %2")
                 .arg(secondsText(p.handover.median), secondsText(p.handover.p99));
    lines << tr("spurious revocations: %1 a day").arg(p.spuriousPerDay, 0, 'g', 3);
    lines << tr("without a leader: %1 a day").arg(secondsText(p.unavailablePerDay));
    lines << tr("requests/s: leader %1, follower %2, all %3")
                 .arg(p.leaderRequests, 0, 'g', 3)
                 .arg(p.followerRequests, 0, 'g', 3)
                 .arg(p.storeLoad(electors), 0, 'g', 3);
    lines << tr("rides out: an outage of %1, a pause of %2")
                 .arg(secondsText(p.bounds.rideOutOutage), secondsText(p.bounds.rideOutPause));
    if (!p.safe())
        lines << tr("UNSAFE: %1 overlaps, %2 fence violations")
                     .arg(p.overlaps)
                     .arg(p.fenceViolations);
    for (const std::string& unmet : p.unmet)
        lines << tr("fails: %1").arg(QString::fromStdString(unmet));
    if (p.pareto)
        lines << tr("on the Pareto front");
    return lines.join(u'\n');
}

} // namespace baton::lab
