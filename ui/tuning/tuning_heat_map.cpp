#include "tuning/tuning_heat_map.h"

#include "style/lab_colors.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>

namespace baton::lab {

namespace {

constexpr int kLeft = 70;   // row labels
constexpr int kBottom = 40; // ttl labels and the axis title
constexpr int kTop = 24;    // the figure's name

} // namespace

TuningHeatMap::TuningHeatMap(QWidget* parent)
    : QWidget(parent) {
    setMouseTracking(true);
    setObjectName(QStringLiteral("tuningHeatMap"));
}

void TuningHeatMap::setResult(std::shared_ptr<const TuningResult> result) {
    m_result = std::move(result);
    m_selected.reset();
    const QStringList variants = m_result ? variantsOf(*m_result) : QStringList();
    if (!variants.contains(m_variant))
        m_variant = variants.isEmpty() ? QString() : variants.front();
    m_grid = m_result ? heatGrid(*m_result, m_variant) : HeatGrid{};
    update();
}

void TuningHeatMap::setFigure(TuningFigure figure) {
    m_figure = figure;
    update();
}

void TuningHeatMap::setVariant(const QString& variant) {
    m_variant = variant;
    m_grid = m_result ? heatGrid(*m_result, m_variant) : HeatGrid{};
    update();
}

void TuningHeatMap::setSelected(std::optional<std::size_t> point) {
    m_selected = point;
    update();
}

QRect TuningHeatMap::plotArea() const {
    return rect().adjusted(kLeft, kTop, -8, -kBottom);
}

QRect TuningHeatMap::cell(std::size_t column, std::size_t row) const {
    const QRect area = plotArea();
    const auto columns = static_cast<int>(std::max<std::size_t>(m_grid.ttls.size(), 1));
    const auto rows = static_cast<int>(std::max<qsizetype>(m_grid.rows.size(), 1));
    const int c = static_cast<int>(column), r = static_cast<int>(row);
    // Row 0 (the shortest refresh) at the bottom, as on a plot.
    const int x0 = area.left() + area.width() * c / columns;
    const int x1 = area.left() + area.width() * (c + 1) / columns;
    const int y1 = area.bottom() + 1 - area.height() * r / rows;
    const int y0 = area.bottom() + 1 - area.height() * (r + 1) / rows;
    return QRect(x0, y0, x1 - x0, y1 - y0).adjusted(1, 1, -1, -1);
}

QRect TuningHeatMap::cellRect(std::size_t point) const {
    for (std::size_t c = 0; c < m_grid.cells.size(); ++c)
        for (std::size_t r = 0; r < m_grid.cells[c].size(); ++r)
            if (m_grid.cells[c][r] == point)
                return cell(c, r);
    return {};
}

std::optional<std::size_t> TuningHeatMap::pointAt(const QPoint& pos) const {
    for (std::size_t c = 0; c < m_grid.cells.size(); ++c)
        for (std::size_t r = 0; r < m_grid.cells[c].size(); ++r)
            if (m_grid.cells[c][r] && cell(c, r).contains(pos))
                return m_grid.cells[c][r];
    return std::nullopt;
}

// Green (best) to amber to red (worst) across the shown cells, on a log scale when the figures
// span more than a factor of ten (store load and failover do).
QColor TuningHeatMap::colourOf(double value, double low, double high) const {
    double t = 0;
    if (high > low) {
        const bool logScale = low > 0 && high / low > 10;
        t = logScale ? std::log(value / low) / std::log(high / low) : (value - low) / (high - low);
    }
    t = std::clamp(t, 0.0, 1.0);
    const double hue = (1.0 - t) * 120.0 / 360.0;
    return QColor::fromHslF(static_cast<float>(hue), 0.55f, darkPaletteInUse() ? 0.35f : 0.62f);
}

void TuningHeatMap::paintCell(QPainter& p, const QRect& r, std::size_t index, double low,
                              double high) const {
    const PointResult& point = m_result->points[index];
    const int electors = m_result->request.profile.electors;
    const bool unsafe = !point.safe();
    p.fillRect(r, unsafe ? QColor(120, 0, 0)
                         : colourOf(figureValue(point, m_figure, electors), low, high));
    if (unsafe) {
        p.setPen(QPen(QColor(255, 200, 200), 2));
        p.drawLine(r.topLeft(), r.bottomRight());
        p.drawLine(r.topRight(), r.bottomLeft());
    }
    p.setPen(unsafe ? QColor(Qt::white) : palette().color(QPalette::Text));
    QString text = unsafe ? tr("unsafe") : figureText(point, m_figure, electors);
    if (unsafe && point.overlaps > 0)
        text += u'\n' + tr("%n overlap(s)", nullptr, static_cast<int>(point.overlaps));
    if (!point.unmet.empty() && !unsafe)
        text += u'\n' + tr("fails %n", nullptr, static_cast<int>(point.unmet.size()));
    p.drawText(r, Qt::AlignCenter, text);
    if (point.pareto) {
        p.setPen(Qt::NoPen);
        p.setBrush(palette().color(QPalette::Text));
        p.drawEllipse(QRect(r.topLeft() + QPoint(4, 4), QSize(8, 8)));
        p.setBrush(Qt::NoBrush);
    }
    const bool recommended = m_result->recommended == index;
    if (recommended || m_selected == index) {
        QPen pen(recommended ? palette().color(QPalette::Highlight)
                             : palette().color(QPalette::Text),
                 recommended ? 4 : 2, recommended ? Qt::SolidLine : Qt::DashLine);
        p.setPen(pen);
        p.drawRect(r.adjusted(2, 2, -2, -2));
    }
}

void TuningHeatMap::paintAxes(QPainter& p) const {
    p.setPen(palette().color(QPalette::WindowText));
    const QRect area = plotArea();
    p.drawText(QRect(0, 0, width(), kTop), Qt::AlignCenter,
               figureName(m_figure) + u"  (" + m_variant + u")");
    for (std::size_t c = 0; c < m_grid.ttls.size(); ++c) {
        const QRect r = cell(c, 0);
        p.drawText(QRect(r.left(), area.bottom() + 2, r.width(), 18), Qt::AlignCenter,
                   QString::fromStdString(formatDuration(m_grid.ttls[c])));
    }
    p.drawText(QRect(area.left(), area.bottom() + 20, area.width(), 18), Qt::AlignCenter,
               tr("ttl"));
    for (qsizetype r = 0; r < m_grid.rows.size(); ++r) {
        const QRect c = cell(0, static_cast<std::size_t>(r));
        p.drawText(QRect(0, c.top(), kLeft - 6, c.height()), Qt::AlignRight | Qt::AlignVCenter,
                   m_grid.rows[r]);
    }
    p.save();
    p.translate(10, area.center().y());
    p.rotate(-90);
    p.drawText(QRect(-60, -8, 120, 16), Qt::AlignCenter, tr("refresh"));
    p.restore();
}

void TuningHeatMap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (!m_result || m_result->points.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("Run a sweep to see the trade-offs"));
        return;
    }
    const int electors = m_result->request.profile.electors;
    double low = 0, high = 0;
    bool first = true;
    for (const auto& column : m_grid.cells)
        for (const auto& index : column)
            if (index && m_result->points[*index].safe()) {
                const double v = figureValue(m_result->points[*index], m_figure, electors);
                low = first ? v : std::min(low, v);
                high = first ? v : std::max(high, v);
                first = false;
            }
    for (std::size_t c = 0; c < m_grid.cells.size(); ++c)
        for (std::size_t r = 0; r < m_grid.cells[c].size(); ++r)
            if (const auto index = m_grid.cells[c][r])
                paintCell(p, cell(c, r), *index, low, high);
    paintAxes(p);
}

void TuningHeatMap::mouseMoveEvent(QMouseEvent* event) {
    const auto index = m_result ? pointAt(event->position().toPoint()) : std::nullopt;
    if (!index) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(),
                       pointSummary(m_result->points[*index], m_result->request.profile.electors),
                       this, cellRect(*index));
}

void TuningHeatMap::mousePressEvent(QMouseEvent* event) {
    if (const auto index = m_result ? pointAt(event->position().toPoint()) : std::nullopt) {
        setSelected(index);
        Q_EMIT pointClicked(*index);
    }
}

} // namespace baton::lab
