// The Tuning window's Compare (the cluster's timing and the chosen one, simulated under the same
// faults) and its exports (the sweep as CSV or JSON, the plots as PNG or SVG).

#include "tuning/compare_strip.h"
#include "tuning/tuning_charts.h"
#include "tuning/tuning_form.h"
#include "tuning/tuning_heat_map.h"
#include "tuning/tuning_sweep.h"
#include "tuning/tuning_window.h"

#include <QChart>
#include <QChartView>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTableWidget>

namespace baton::lab {

namespace {

// One point's sweep: the same profile and seeds, so the same faults at the same times.
TuningRequest single(const TuningRequest& base, const TuningPoint& point) {
    TuningRequest r = base;
    r.grid = TuningGrid{};
    r.grid.ttls = {point.timing.ttl};
    r.grid.refreshes = {point.timing.refreshInterval};
    r.grid.retries = {point.timing.retryInterval};
    r.profile.minReplicas = point.minReplicas;
    r.requirements = {};
    return r;
}

QString ms(Duration d) {
    return QString::number(std::chrono::duration<double, std::milli>(d).count(), 'f', 1) +
           QStringLiteral(" ms");
}

} // namespace

void TuningWindow::compare() {
    const auto c = chosen();
    if (!c || m_compare->running())
        return;
    const TuningRequest base = m_result->request;
    // The cluster's timing as the lab runs it: without WAIT unless the profile waits.
    const TuningPoint mine{m_form->clusterTiming(), false, base.profile.minReplicas};
    const TuningPoint theirs = m_result->points[*c].point;
    m_stripRuns = std::make_shared<std::vector<StripRun>>();
    m_compare->start([base, mine, theirs, strips = m_stripRuns](const TuningControl& control) {
        // One seed of each as a picture, the figures over all seeds.
        strips->push_back(
            stripRun(tr("cluster's: %1").arg(timingText(mine.timing, false)),
                     tuningScenario(base.profile, mine, base.duration, base.firstSeed)));
        strips->push_back(
            stripRun(tr("chosen: %1").arg(pointLabel(theirs)),
                     tuningScenario(base.profile, theirs, base.duration, base.firstSeed)));
        TuningResult both = tune(single(base, mine), control);
        TuningResult other = tune(single(base, theirs), control);
        both.points.push_back(other.points.front());
        both.points.front().point.pollingOnly = false;
        both.points.back().point = theirs;
        both.cancelled = both.cancelled || other.cancelled;
        return both;
    });
    m_tabs->setCurrentIndex(2); // Compare
    m_status->setText(tr("Comparing %1 with %2...")
                          .arg(timingText(mine.timing, false), timingText(theirs.timing, false)));
    updateButtons();
}

void TuningWindow::onCompared(std::shared_ptr<const TuningResult> result, const QString& error) {
    updateButtons();
    if (!result || result->cancelled || result->points.size() != 2) {
        m_status->setText(error.isEmpty() ? tr("Compare cancelled.") : error);
        return;
    }
    m_strip->setRuns(std::move(*m_stripRuns));
    const int electors = result->request.profile.electors;
    const PointResult& a = result->points[0];
    const PointResult& b = result->points[1];
    m_compareTable->setHorizontalHeaderLabels(
        {tr("Cluster's: %1").arg(timingText(a.point.timing, false)),
         tr("Chosen: %1").arg(pointLabel(b.point))});
    const std::vector<std::pair<QString, std::function<QString(const PointResult&)>>> rows = {
        {tr("crash failover p50"), [](const PointResult& p) { return ms(p.failover.median); }},
        {tr("crash failover p99"), [](const PointResult& p) { return ms(p.failover.p99); }},
        {tr("crash failover max"), [](const PointResult& p) { return ms(p.failover.max); }},
        {tr("graceful handover p99"), [](const PointResult& p) { return ms(p.handover.p99); }},
        {tr("spurious revocations / day"),
         [](const PointResult& p) { return QString::number(p.spuriousPerDay, 'g', 3); }},
        {tr("without a leader / day"),
         [](const PointResult& p) { return ms(p.unavailablePerDay); }},
        {tr("leader requests/s"),
         [](const PointResult& p) { return QString::number(p.leaderRequests, 'g', 3); }},
        {tr("follower requests/s"),
         [](const PointResult& p) { return QString::number(p.followerRequests, 'g', 3); }},
        {tr("store requests/s, all"),
         [electors](const PointResult& p) {
             return QString::number(p.storeLoad(electors), 'g', 3);
         }},
        {tr("overlaps / fence violations"),
         [](const PointResult& p) {
             return QStringLiteral("%1 / %2").arg(p.overlaps).arg(p.fenceViolations);
         }},
        {tr("rides out an outage of"),
         [](const PointResult& p) { return ms(p.bounds.rideOutOutage); }},
    };
    m_compareTable->setRowCount(static_cast<int>(rows.size()));
    QStringList labels;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        labels << rows[i].first;
        m_compareTable->setItem(static_cast<int>(i), 0, new QTableWidgetItem(rows[i].second(a)));
        m_compareTable->setItem(static_cast<int>(i), 1, new QTableWidgetItem(rows[i].second(b)));
    }
    m_compareTable->setVerticalHeaderLabels(labels);
    m_status->setText(tr("Compared under the same faults: %1 seeds x %2 virtual h each.")
                          .arg(result->request.seeds)
                          .arg(toSeconds(result->request.duration) / 3600, 0, 'g', 3));
}

bool TuningWindow::exportData(const QString& path, QString* error) const {
    if (!m_result) {
        *error = tr("No sweep to export yet.");
        return false;
    }
    const bool json = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive);
    if (!json && !path.endsWith(QStringLiteral(".csv"), Qt::CaseInsensitive)) {
        *error = tr("Export as .csv or .json: %1").arg(path);
        return false;
    }
    QFile f(path);
    const std::string text = json ? tuningJson(*m_result) : tuningCsv(*m_result);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        f.write(text.data(), static_cast<qint64>(text.size())) !=
            static_cast<qint64>(text.size())) {
        *error = tr("Cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool TuningWindow::exportPlots(const QString& path, QString* error) const {
    if (!m_result) {
        *error = tr("No sweep to export yet.");
        return false;
    }
    // The heat map on the left, the scatter on the right, at their size on screen (or a
    // sensible one while the window is hidden).
    const QSize heat = m_heatMap->size().expandedTo(QSize(520, 360));
    const QSize size(heat.width() * 2, heat.height());
    const auto paint = [&](QPainter& p) {
        p.fillRect(QRect(QPoint(), size), m_heatMap->palette().color(QPalette::Base));
        m_heatMap->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
        QChartView view(scatterChart(*m_result, chosen()));
        view.resize(heat);
        view.setRenderHint(QPainter::Antialiasing);
        view.render(&p, QRectF(heat.width(), 0, heat.width(), heat.height()));
    };
    if (path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(), size));
        svg.setTitle(tr("Baton tuning sweep"));
        QPainter p;
        if (!p.begin(&svg)) {
            *error = tr("Cannot write %1").arg(path);
            return false;
        }
        paint(p);
        return p.end();
    }
    if (!path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
        *error = tr("Export plots as .png or .svg: %1").arg(path);
        return false;
    }
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        paint(p);
    }
    if (!image.save(path)) {
        *error = tr("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

void TuningWindow::askExportData() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the sweep"), QStringLiteral("tuning.csv"),
                                     tr("CSV (*.csv);;JSON (*.json)"));
    QString error;
    if (!path.isEmpty() && !exportData(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

void TuningWindow::askExportPlots() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the plots"), QStringLiteral("tuning.png"), tr("PNG (*.png);;SVG (*.svg)"));
    QString error;
    if (!path.isEmpty() && !exportPlots(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace baton::lab
