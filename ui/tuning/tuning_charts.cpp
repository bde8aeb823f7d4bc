#include "tuning/tuning_charts.h"

#include "tuning/tuning_figures.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QCoreApplication>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace baton::lab {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("TuningCharts", text);
}

QScatterSeries* series(const QString& name, const QColor& colour, double size,
                       QScatterSeries::MarkerShape shape) {
    auto* s = new QScatterSeries;
    s->setName(name);
    s->setColor(colour);
    s->setBorderColor(colour.darker(140));
    s->setMarkerSize(size);
    s->setMarkerShape(shape);
    return s;
}

} // namespace

QChart* scatterChart(const TuningResult& r, std::optional<std::size_t> picked) {
    auto* chart = new QChart;
    chart->setTitle(tr("Crash failover p99 against store load"));
    const int electors = r.request.profile.electors;
    auto* all = series(tr("point"), QColor(120, 144, 176), 9, QScatterSeries::MarkerShapeCircle);
    auto* front =
        series(tr("Pareto front"), QColor(40, 150, 70), 12, QScatterSeries::MarkerShapeCircle);
    auto* unsafe =
        series(tr("unsafe"), QColor(200, 30, 30), 11, QScatterSeries::MarkerShapeRectangle);
    auto* chosen =
        series(tr("recommended"), QColor(30, 90, 220), 18, QScatterSeries::MarkerShapeStar);
    auto* clicked =
        series(tr("picked"), QColor(230, 140, 0), 15, QScatterSeries::MarkerShapeRotatedRectangle);
    double lowLoad = 1e18, highLoad = 0, highFailover = 0;
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        const PointResult& p = r.points[i];
        const QPointF at(figureValue(p, TuningFigure::StoreLoad, electors),
                         figureValue(p, TuningFigure::FailoverP99, electors));
        lowLoad = std::min(lowLoad, at.x());
        highLoad = std::max(highLoad, at.x());
        highFailover = std::max(highFailover, at.y());
        (!p.safe() ? unsafe : p.pareto ? front : all)->append(at);
        if (r.recommended == i)
            chosen->append(at);
        if (picked == i)
            clicked->append(at);
    }
    for (QScatterSeries* s : {all, front, unsafe, chosen, clicked})
        chart->addSeries(s);
    auto* x = new QLogValueAxis;
    x->setTitleText(tr("store requests/s, all electors"));
    x->setLabelFormat(QStringLiteral("%g"));
    x->setRange(std::max(lowLoad / 1.5, 1e-3), std::max(highLoad * 1.5, 1e-2));
    auto* y = new QValueAxis;
    y->setTitleText(tr("p99 (s)"));
    y->setRange(0, std::max(highFailover * 1.1, 0.1));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    return chart;
}

QChart* histogramChart(const std::vector<Duration>& samples, const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    if (samples.empty()) {
        chart->setTitle(title + tr(" (none measured)"));
        return chart;
    }
    const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
    const double low = std::chrono::duration<double>(*lo).count();
    const double high = std::chrono::duration<double>(*hi).count();
    const int bins = std::clamp(static_cast<int>(std::sqrt(samples.size())) + 1, 1, 12);
    const double width = high > low ? (high - low) / bins : 1.0;
    std::vector<int> counts(static_cast<std::size_t>(bins), 0);
    for (Duration d : samples) {
        const double s = std::chrono::duration<double>(d).count();
        ++counts[static_cast<std::size_t>(
            std::clamp(static_cast<int>((s - low) / width), 0, bins - 1))];
    }
    auto* set = new QBarSet(title);
    QStringList labels;
    const bool ms = high < 1.0;
    for (int b = 0; b < bins; ++b) {
        *set << counts[static_cast<std::size_t>(b)];
        const double from = low + width * b;
        labels << (ms ? QString::number(from * 1000, 'f', 1) : QString::number(from, 'f', 2));
    }
    auto* bars = new QBarSeries;
    bars->append(set);
    bars->setBarWidth(0.95);
    chart->addSeries(bars);
    auto* x = new QBarCategoryAxis;
    x->append(labels);
    x->setTitleText(ms ? tr("from (ms)") : tr("from (s)"));
    auto* y = new QValueAxis;
    y->setTitleText(tr("count"));
    y->setLabelFormat(QStringLiteral("%d"));
    y->setRange(0, *std::max_element(counts.begin(), counts.end()) + 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    return chart;
}

} // namespace baton::lab
