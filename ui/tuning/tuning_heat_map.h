#pragma once
// A heat map of one figure over ttl (columns) x refresh (rows) for one variant of a sweep: the
// Pareto front starred, the recommendation framed, unsafe points crossed; hover for a point's
// figures, click to pick it.

#include "tuning/tuning_figures.h"

#include <QWidget>

#include <memory>

namespace baton::lab {

class TuningHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit TuningHeatMap(QWidget* parent = nullptr);

    void setResult(std::shared_ptr<const TuningResult> result);
    void setFigure(TuningFigure figure);
    void setVariant(const QString& variant);
    /// The point framed as picked (a click, or the recommendation); none: nothing framed.
    void setSelected(std::optional<std::size_t> point);

    /// Where a point's cell is drawn (empty when it is not in the shown variant).
    QRect cellRect(std::size_t point) const;
    /// The point whose cell holds `pos`, if any.
    std::optional<std::size_t> pointAt(const QPoint& pos) const;

    QSize sizeHint() const override { return {520, 360}; }
    QSize minimumSizeHint() const override { return {260, 180}; }

Q_SIGNALS:
    void pointClicked(std::size_t point);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRect plotArea() const;
    QRect cell(std::size_t column, std::size_t row) const;
    QColor colourOf(double value, double low, double high) const;
    void paintCell(QPainter& p, const QRect& r, std::size_t point, double low, double high) const;
    void paintAxes(QPainter& p) const;

    std::shared_ptr<const TuningResult> m_result;
    HeatGrid m_grid;
    QString m_variant;
    TuningFigure m_figure = TuningFigure::FailoverP99;
    std::optional<std::size_t> m_selected;
};

} // namespace baton::lab
