#include "stats/stats_panel.h"

#include "style/fault_colors.h"
#include "style/lab_colors.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace baton::lab {

namespace {

double milliseconds(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// A safety figure reads in the error colour while it reports a violation.
void markUnsafe(QLabel* label, bool unsafe) {
    QPalette palette = label->palette();
    const QColor normal = label->parentWidget()->palette().color(QPalette::WindowText);
    palette.setColor(QPalette::WindowText, unsafe ? errorColor(isDarkPalette(palette)) : normal);
    label->setPalette(palette);
}

QLabel* figure(const QString& name, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

const std::array<FailoverCause, failoverCauseCount> allCauses = {
    FailoverCause::Crash, FailoverCause::Pause, FailoverCause::Partition, FailoverCause::Stop,
    FailoverCause::Other};

} // namespace

StatsPanel::StatsPanel(FailoverStats* stats, QWidget* parent)
    : QWidget(parent)
    , m_stats(stats) {
    auto* form = new QFormLayout;
    m_count = figure(QStringLiteral("failoverCount"), this);
    m_last = figure(QStringLiteral("lastLatency"), this);
    m_median = figure(QStringLiteral("medianLatency"), this);
    m_p99 = figure(QStringLiteral("p99Latency"), this);
    m_max = figure(QStringLiteral("maxLatency"), this);
    m_now = figure(QStringLiteral("failoverNow"), this);
    m_leaderless = figure(QStringLiteral("timeWithoutLeader"), this);
    m_overlaps = figure(QStringLiteral("overlaps"), this);
    m_fenceOrder = figure(QStringLiteral("fenceOrder"), this);
    m_storeOps = figure(QStringLiteral("storeOps"), this);
    form->addRow(tr("Failovers:"), m_count);
    form->addRow(tr("Last failover:"), m_last);
    form->addRow(tr("Median:"), m_median);
    form->addRow(tr("99th percentile:"), m_p99);
    form->addRow(tr("Longest:"), m_max);
    form->addRow(tr("Failover now:"), m_now);
    form->addRow(tr("Time without a leader:"), m_leaderless);
    form->addRow(tr("Overlapping leaders:"), m_overlaps);
    form->addRow(tr("Fence order:"), m_fenceOrder);
    form->addRow(tr("Store operations:"), m_storeOps);

    auto* grid = new QGridLayout;
    const QStringList headers = {tr("Cause"), tr("Count"), tr("Last"), tr("Median"), tr("p99")};
    for (int c = 0; c < headers.size(); ++c) {
        auto* header = new QLabel(u"<b>" + headers[c] + u"</b>", this);
        grid->addWidget(header, 0, c, c == 0 ? Qt::AlignLeft : Qt::AlignRight);
    }
    for (std::size_t i = 0; i < allCauses.size(); ++i) {
        const QString name = causeName(allCauses[i]);
        const int row = static_cast<int>(i) + 1;
        auto* cause = new QLabel(this);
        cause->setText(QStringLiteral("<span style=\"color:%1\">&#9632;</span> %2")
                           .arg(faultColor(name).name(), name));
        grid->addWidget(cause, row, 0);
        CauseRow& r = m_causes[i];
        r.count = figure(u"count_" + name, this);
        r.last = figure(u"last_" + name, this);
        r.median = figure(u"median_" + name, this);
        r.p99 = figure(u"p99_" + name, this);
        int column = 1;
        for (QLabel* label : {r.count, r.last, r.median, r.p99})
            grid->addWidget(label, row, column++, Qt::AlignRight);
    }

    auto* figures = new QHBoxLayout;
    figures->addLayout(form);
    figures->addSpacing(24);
    figures->addLayout(grid);
    figures->addStretch(1);

    m_chart = new QChart;
    m_chart->setTitle(tr("Failover latency (ms)"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_series = new QStackedBarSeries(m_chart);
    m_chart->addSeries(m_series);
    m_axisX = new QBarCategoryAxis(m_chart);
    m_axisX->setTitleText(tr("latency, ms"));
    m_axisY = new QValueAxis(m_chart);
    m_axisY->setLabelFormat(QStringLiteral("%d"));
    m_axisY->setTitleText(tr("failovers"));
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisY, Qt::AlignLeft);
    m_series->attachAxis(m_axisX);
    m_series->attachAxis(m_axisY);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(QStringLiteral("latencyChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(200);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(figures);
    layout->addWidget(m_chartView, 1);

    m_timer.setSingleShot(true);
    m_timer.setInterval(refreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
        else
            m_stale = true; // nobody looks: catch up when shown
    });
    connect(m_stats, &FailoverStats::changed, this, &StatsPanel::scheduleRefresh);
    applyTheme();
    refresh();
}

QString StatsPanel::formatLatency(Duration latency, bool known) {
    if (!known)
        return QStringLiteral("\u2014");
    const double ms = milliseconds(latency);
    const int decimals = ms < 10 ? 2 : ms < 100 ? 1 : 0;
    return QString::number(ms, 'f', decimals) + u" ms";
}

void StatsPanel::scheduleRefresh() {
    if (!m_timer.isActive())
        m_timer.start();
}

void StatsPanel::refresh() {
    m_stale = false;
    const LatencySummary all = m_stats->overall();
    const bool any = all.kept > 0;
    m_count->setText(QString::number(all.count));
    m_last->setText(formatLatency(all.last, any));
    m_median->setText(formatLatency(all.median, any));
    m_p99->setText(formatLatency(all.p99, any));
    m_max->setText(formatLatency(all.max, any));
    m_now->setText(m_stats->failoverInProgress() ? tr("since %1 s (%2)")
                                                       .arg(formatSeconds(m_stats->failoverSince()),
                                                            causeName(m_stats->failoverCause()))
                                                 : tr("none"));
    m_leaderless->setText(formatSeconds(m_stats->timeWithoutLeader()) + u" s");
    m_overlaps->setText(
        tr("%1 (%2 s in all)")
            .arg(QString::number(m_stats->overlapCount()), formatSeconds(m_stats->overlapTotal())));
    markUnsafe(m_overlaps, m_stats->overlapCount() > 0);
    const qsizetype badFences = m_stats->fenceOrderViolations();
    markUnsafe(m_fenceOrder, badFences > 0);
    m_fenceOrder->setText(badFences == 0
                              ? tr("strictly increasing")
                              : tr("%n out of order (first: %1)", nullptr, int(badFences))
                                    .arg(m_stats->firstFenceViolation()));
    m_storeOps->setText(
        tr("%1 per second").arg(QString::number(m_stats->storeOpsPerSecond(), 'f', 1)));
    for (std::size_t i = 0; i < allCauses.size(); ++i) {
        const LatencySummary s = m_stats->summary(allCauses[i]);
        const bool known = s.kept > 0;
        m_causes[i].count->setText(QString::number(s.count));
        m_causes[i].last->setText(formatLatency(s.last, known));
        m_causes[i].median->setText(formatLatency(s.median, known));
        m_causes[i].p99->setText(formatLatency(s.p99, known));
    }
    if (!m_chartBuilt || m_chartRevision != m_stats->revision())
        rebuildChart();
}

void StatsPanel::rebuildChart() {
    m_chartBuilt = true;
    m_chartRevision = m_stats->revision();

    std::array<QVector<double>, failoverCauseCount> values;
    double lo = 0;
    double hi = 0;
    bool any = false;
    for (std::size_t i = 0; i < allCauses.size(); ++i) {
        for (Duration d : m_stats->latencies(allCauses[i])) {
            const double ms = milliseconds(d);
            values[i].append(ms);
            lo = any ? std::min(lo, ms) : ms;
            hi = any ? std::max(hi, ms) : ms;
            any = true;
        }
    }

    // Buckets of a round width, about ten across the data's range.
    double width = 1;
    double start = 0;
    int buckets = 0;
    if (any) {
        double raw = (hi - lo) / 10;
        if (!(raw > 0))
            raw = std::max(std::abs(hi) / 10, 0.01);
        width = niceStep(raw);
        start = std::floor(lo / width) * width;
        buckets = std::clamp(static_cast<int>(std::floor((hi - start) / width)) + 1, 1, 30);
    }
    const int decimals = width >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(width)));

    m_series->clear();
    int tallest = 0;
    QVector<int> stack(buckets, 0);
    for (std::size_t i = 0; i < allCauses.size(); ++i) {
        const QString name = causeName(allCauses[i]);
        auto* set = new QBarSet(name);
        set->setColor(faultColor(name));
        set->setBorderColor(faultColor(name).darker(130));
        QVector<int> counts(buckets, 0);
        for (double ms : values[i]) {
            const int b = std::clamp(static_cast<int>((ms - start) / width), 0, buckets - 1);
            ++counts[b];
        }
        for (int b = 0; b < buckets; ++b) {
            set->append(counts[b]);
            stack[b] += counts[b];
            tallest = std::max(tallest, stack[b]);
        }
        m_series->append(set);
    }
    QStringList categories;
    for (int b = 0; b < buckets; ++b) {
        const double from = start + b * width;
        categories.append(QString::number(from, 'f', decimals) + u"\u2013" +
                          QString::number(from + width, 'f', decimals));
    }
    m_axisX->clear();
    m_axisX->append(categories);
    m_axisY->setRange(0, std::max(1, tallest));
    m_axisY->setTickCount(std::min(std::max(1, tallest), 5) + 1);
    m_chart->setTitle(any ? tr("Failover latency (ms), last %1").arg(m_stats->overall().kept)
                          : tr("Failover latency (ms): none yet"));
}

void StatsPanel::applyTheme() {
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(palette().color(QPalette::Base));
    m_chart->setTitleBrush(palette().color(QPalette::Text));
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    m_chartBuilt = false; // a theme resets the bar colours
}

void StatsPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void StatsPanel::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_chart) {
        applyTheme();
        refresh();
    }
}

} // namespace baton::lab
