#include "tuning/tuning_window.h"

#include "backend/lab_controller.h"
#include "style/lab_colors.h"
#include "tuning/compare_strip.h"
#include "tuning/tuning_charts.h"
#include "tuning/tuning_form.h"
#include "tuning/tuning_heat_map.h"
#include "tuning/tuning_points_table.h"
#include "tuning/tuning_sweep.h"

#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace baton::lab {

TuningWindow::TuningWindow(LabController& controller, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_controller(controller) {
    setObjectName(QStringLiteral("tuningWindow"));
    setWindowTitle(tr("Tune timings - Baton lab"));
    m_sweep = new TuningSweep(this);
    m_compare = new TuningSweep(this);
    buildUi();
    connect(m_sweep, &TuningSweep::progressed, this, [this](int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
    connect(m_sweep, &TuningSweep::finished, this, &TuningWindow::onFinished);
    connect(m_compare, &TuningSweep::finished, this, &TuningWindow::onCompared);
    // As large as it likes, but on the screen (a laptop, or a 200% scale).
    QSize size(1180, 760);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() * 9 / 10);
    resize(size);
    updateButtons();
}

TuningWindow::~TuningWindow() = default;

namespace {

// QChartView::setChart releases the old chart without deleting it.
void replaceChart(QChartView* view, QChart* chart) {
    QChart* old = view->chart();
    view->setChart(chart);
    if (old != chart)
        delete old;
}

} // namespace

void TuningWindow::buildUi() {
    auto* splitter = new QSplitter(Qt::Horizontal);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    m_form = new TuningForm;
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(m_form->sizeHint().width() + 24);
    leftLayout->addWidget(scroll, 1);
    auto* runRow = new QHBoxLayout;
    m_run = new QPushButton(tr("Run sweep"));
    m_run->setObjectName(QStringLiteral("runSweep"));
    m_run->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelSweep"));
    runRow->addWidget(m_run);
    runRow->addWidget(m_cancel);
    leftLayout->addLayout(runRow);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setValue(0);
    leftLayout->addWidget(m_progress);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    m_status->setWordWrap(true);
    leftLayout->addWidget(m_status);
    splitter->addWidget(left);
    splitter->addWidget(buildResults());
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    connect(m_run, &QPushButton::clicked, this, &TuningWindow::runSweep);
    connect(m_cancel, &QPushButton::clicked, this, &TuningWindow::cancelSweep);
}

QWidget* TuningWindow::buildResults() {
    auto* right = new QWidget;
    auto* layout = new QVBoxLayout(right);
    auto* pick = new QHBoxLayout;
    m_figure = new QComboBox;
    m_figure->setObjectName(QStringLiteral("figureCombo"));
    for (int f = 0; f < static_cast<int>(TuningFigure::Count); ++f)
        m_figure->addItem(figureName(static_cast<TuningFigure>(f)));
    m_variant = new QComboBox;
    m_variant->setObjectName(QStringLiteral("variantCombo"));
    pick->addWidget(new QLabel(tr("Colour by:")));
    pick->addWidget(m_figure, 1);
    pick->addWidget(new QLabel(tr("Show:")));
    pick->addWidget(m_variant, 1);
    layout->addLayout(pick);
    m_heatMap = new TuningHeatMap;
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_heatMap);
    m_tabs = new QTabWidget;
    m_scatter = new QChartView;
    m_scatter->setRenderHint(QPainter::Antialiasing);
    m_tabs->addTab(m_scatter, tr("Failover vs store load"));
    auto* distributions = new QWidget;
    auto* distLayout = new QVBoxLayout(distributions);
    m_pointText = new QLabel(tr("Click a cell of the heat map for its distributions."));
    m_pointText->setObjectName(QStringLiteral("pointText"));
    m_pointText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    distLayout->addWidget(m_pointText);
    auto* charts = new QHBoxLayout;
    m_failoverHistogram = new QChartView;
    m_handoverHistogram = new QChartView;
    charts->addWidget(m_failoverHistogram);
    charts->addWidget(m_handoverHistogram);
    distLayout->addLayout(charts, 1);
    m_tabs->addTab(distributions, tr("Distributions"));
    m_tabs->addTab(buildCompare(), tr("Compare"));
    m_pointsTable = new TuningPointsTable;
    m_tabs->addTab(m_pointsTable, tr("Points"));
    connect(m_pointsTable, &TuningPointsTable::pointClicked, this, [this](std::size_t point) {
        choose(point);
        m_tabs->setCurrentWidget(m_pointsTable); // stay on the table
    });
    splitter->addWidget(m_tabs);
    splitter->setSizes({380, 300});
    layout->addWidget(splitter, 1);
    m_verdict = new QLabel(tr("No sweep yet."));
    m_verdict->setObjectName(QStringLiteral("verdictLabel"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_verdict);
    layout->addLayout(buildButtons());
    connect(m_figure, &QComboBox::currentIndexChanged, this,
            [this](int f) { m_heatMap->setFigure(static_cast<TuningFigure>(f)); });
    connect(m_variant, &QComboBox::currentTextChanged, m_heatMap, &TuningHeatMap::setVariant);
    connect(m_heatMap, &TuningHeatMap::pointClicked, this, &TuningWindow::choose);
    return right;
}

QWidget* TuningWindow::buildCompare() {
    auto* page = new QSplitter(Qt::Vertical);
    m_strip = new CompareStrip;
    page->addWidget(m_strip);
    m_compareTable = new QTableWidget(0, 2);
    m_compareTable->setObjectName(QStringLiteral("compareTable"));
    m_compareTable->setHorizontalHeaderLabels({tr("Cluster's timing"), tr("Chosen timing")});
    m_compareTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_compareTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    page->addWidget(m_compareTable);
    return page;
}

QLayout* TuningWindow::buildButtons() {
    auto* buttons = new QHBoxLayout;
    const auto button = [&](const QString& text, const QString& name, const QString& tip) {
        auto* b = new QPushButton(text);
        b->setObjectName(name);
        b->setToolTip(tip);
        buttons->addWidget(b);
        return b;
    };
    m_apply = button(tr("Apply to cluster"), QStringLiteral("applyToCluster"),
                     tr("Set the chosen timings on every elector the lab controls, live"));
    m_compareButton = button(tr("Compare"), QStringLiteral("compareTimings"),
                             tr("Simulate the cluster's timing and the chosen one under the same "
                                "faults"));
    buttons->addStretch();
    m_exportData = button(tr("Export data..."), QStringLiteral("exportData"),
                          tr("Every point as CSV or JSON"));
    m_exportPlots = button(tr("Export plots..."), QStringLiteral("exportPlots"),
                           tr("The heat map and the scatter as PNG or SVG"));
    connect(m_apply, &QPushButton::clicked, this, &TuningWindow::applyChosen);
    connect(m_compareButton, &QPushButton::clicked, this, &TuningWindow::compare);
    connect(m_exportData, &QPushButton::clicked, this, &TuningWindow::askExportData);
    connect(m_exportPlots, &QPushButton::clicked, this, &TuningWindow::askExportPlots);
    return buttons;
}

void TuningWindow::prefillFromCluster(int id) {
    m_form->prefill(m_controller.snapshot(), id);
}

bool TuningWindow::runSweep() {
    TuningRequest request;
    try {
        request = m_form->request();
    } catch (const std::invalid_argument& e) {
        m_status->setText(
            QStringLiteral("<span style='color:%1'>").arg(errorColor(darkPaletteInUse()).name()) +
            QString::fromUtf8(e.what()).toHtmlEscaped() + QStringLiteral("</span>"));
        return false;
    }
    if (!m_sweep->start(request))
        return false;
    m_progress->setRange(0, 0); // busy until the first run is done
    m_status->setText(tr("Sweeping %n point(s)...", nullptr,
                         static_cast<int>(tuningPoints(request.grid).size())));
    updateButtons();
    return true;
}

void TuningWindow::cancelSweep() {
    m_sweep->cancel();
    m_compare->cancel();
}

void TuningWindow::onFinished(std::shared_ptr<const TuningResult> result, const QString& error) {
    m_progress->setRange(0, 1);
    m_progress->setValue(result && !result->cancelled ? 1 : 0);
    if (!result) {
        m_status->setText(tr("The sweep failed: %1").arg(error));
    } else if (result->cancelled) {
        m_status->setText(tr("Cancelled; the previous result stays."));
    } else {
        m_result = std::move(result);
        m_status->setText(tr("%1 points x %2 seeds x %3 virtual h in %4 s")
                              .arg(m_result->points.size())
                              .arg(m_result->request.seeds)
                              .arg(toSeconds(m_result->request.duration) / 3600, 0, 'g', 3)
                              .arg(m_result->wallSeconds, 0, 'f', 1));
        m_picked.reset();
        m_heatMap->setResult(m_result);
        {
            const QSignalBlocker block(m_variant);
            m_variant->clear();
            m_variant->addItems(variantsOf(*m_result));
        }
        // Show the variant (retry, polling) the recommendation is in.
        if (const auto c = chosen())
            m_variant->setCurrentText(variantOf(m_result->points[*c]));
        m_heatMap->setVariant(m_variant->currentText());
        m_verdict->setText(QString::fromStdString(m_result->verdict));
        m_pointsTable->setResult(*m_result);
        // A replicated store's story is with and without WAIT, row by row.
        const TuningRequest& asked = m_result->request;
        if (asked.grid.waitVariant || asked.profile.primaryKillRate > 0)
            m_tabs->setCurrentWidget(m_pointsTable);
        if (const auto c = chosen())
            showPoint(*c);
        else
            replaceChart(m_scatter, scatterChart(*m_result, std::nullopt));
    }
    updateButtons();
}

std::optional<std::size_t> TuningWindow::chosen() const {
    if (m_picked)
        return m_picked;
    if (m_result && m_result->recommended)
        return m_result->recommended;
    if (m_result && !m_result->nearest.empty())
        return m_result->nearest.front();
    return std::nullopt;
}

void TuningWindow::choose(std::size_t point) {
    if (!m_result || point >= m_result->points.size())
        return;
    m_picked = point;
    showPoint(point);
    m_tabs->setCurrentIndex(1);
    updateButtons();
}

void TuningWindow::showPoint(std::size_t point) {
    const PointResult& p = m_result->points[point];
    m_heatMap->setSelected(point);
    m_pointsTable->selectRow(m_pointsTable->rowOf(point));
    m_pointText->setText(pointSummary(p, m_result->request.profile.electors));
    replaceChart(m_scatter, scatterChart(*m_result, m_picked));
    replaceChart(m_failoverHistogram, histogramChart(p.failoverSamples, tr("Crash failover")));
    replaceChart(m_handoverHistogram, histogramChart(p.handoverSamples, tr("Graceful handover")));
}

QString TuningWindow::verdictText() const {
    return m_verdict->text();
}

void TuningWindow::updateButtons() {
    const bool busy = m_sweep->running();
    m_run->setEnabled(!busy);
    m_cancel->setEnabled(busy || m_compare->running());
    const bool have = chosen().has_value();
    m_apply->setEnabled(have);
    m_compareButton->setEnabled(have && !m_compare->running());
    m_exportData->setEnabled(m_result != nullptr);
    m_exportPlots->setEnabled(m_result != nullptr);
}

void TuningWindow::applyChosen() {
    const auto c = chosen();
    if (!c)
        return;
    const TuningPoint& point = m_result->points[*c].point;
    int applied = 0;
    for (const ElectorView& e : m_controller.snapshot().electors) {
        if (!e.controllable || !e.unavailable[static_cast<int>(Action::Kind::Timing)].isEmpty())
            continue;
        Action a;
        a.kind = Action::Kind::Timing;
        a.elector = e.id;
        a.timing = point.timing;
        m_controller.act(a);
        ++applied;
    }
    m_status->setText(
        tr("Applied %1 to %n elector(s).", nullptr, applied).arg(timingText(point.timing, false)) +
        (point.pollingOnly ? tr(" (Polling-only followers cannot be set live.)") : QString()));
}

} // namespace baton::lab
