// The timeline's painting: lanes, bars, faults and the axis, from a Frame; the widget and the
// exports paint the same way.
#include "timeline/timeline_view.h"

#include "style/fault_colors.h"
#include "timeline/timeline_units.h"

#include <QFontMetrics>
#include <QPainter>

#include <cmath>
#include <limits>

namespace baton::lab {

namespace {

QColor withAlpha(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

// The fault tags' font: smaller than the lanes'.
QFont tagFont(const QFont& base) {
    QFont small = base;
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    return small;
}

} // namespace

void TimelineView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    // The view is opaque: beside the vertical bar (over the axis, in the corner between the
    // bars) nothing else paints.
    p.fillRect(rect(), palette().color(QPalette::Window));
    render(p, widgetFrame());
}

void TimelineView::render(QPainter& p, const Frame& f) const {
    const QPalette& pal = palette();
    p.setFont(font());
    p.fillRect(f.canvas, pal.color(QPalette::Base));

    // Lane backgrounds, then the time grid over them, then the items on top.
    p.save();
    p.setClipRect(f.plot);
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = f.lane(i);
        if (f.shows(lane) && i % 2 == 1)
            p.fillRect(lane, pal.color(QPalette::AlternateBase));
    }
    const double step = niceStep(90 / f.pps);
    p.setPen(withAlpha(pal.color(QPalette::Text), 28));
    for (double v = std::ceil(toSeconds(f.t0) / step) * step; v <= toSeconds(f.t1); v += step)
        p.drawLine(f.x(timelineSeconds(v)), f.plot.top(), f.x(timelineSeconds(v)), f.plot.bottom());
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = f.lane(i);
        if (!f.shows(lane))
            continue;
        if (f.lanes[i] == StoreLane)
            paintStoreLane(p, f, lane);
        else
            paintElectorLane(p, f, f.lanes[i], lane);
    }
    p.restore();

    paintLabels(p, f);
    paintAxis(p, f);

    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(f.plot.left() - 1, f.canvas.top(), f.plot.left() - 1, f.canvas.bottom());

    // Now: at the right edge while following live.
    const int nowX = std::min(f.x(f.now), f.plot.right());
    if (nowX >= f.plot.left()) {
        p.setPen(QPen(pal.color(QPalette::Text), 1));
        p.drawLine(nowX, f.canvas.top(), nowX, f.canvas.bottom());
    }
}

// Labels, in a column of their own.
void TimelineView::paintLabels(QPainter& p, const Frame& f) const {
    const QPalette& pal = palette();
    const QRect labels(f.canvas.left(), f.plot.top(), f.plot.left() - f.canvas.left(),
                       f.plot.height());
    p.save();
    p.setClipRect(labels);
    p.fillRect(labels, pal.color(QPalette::Window));
    const QFontMetrics fm(font());
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = f.lane(i);
        if (!f.shows(lane))
            continue;
        const QRect label(labels.left() + 6, lane.top(), labels.width() - 10, f.laneHeight);
        const bool store = f.lanes[i] == StoreLane;
        QFont labelFont = font();
        labelFont.setBold(store);
        p.setFont(labelFont);
        p.setPen(pal.color(QPalette::WindowText));
        const QString text = store ? tr("lock") : m_history->identity(f.lanes[i]);
        p.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
                   fm.elidedText(text, Qt::ElideMiddle, label.width()));
    }
    p.restore();
    p.setFont(font());
}

void TimelineView::paintAxis(QPainter& p, const Frame& f) const {
    const QPalette& pal = palette();
    const QRect strip(f.canvas.left(), f.canvas.top(), f.canvas.width(),
                      f.plot.top() - f.canvas.top());
    p.fillRect(strip, pal.color(QPalette::Window));
    p.save();
    const QRect timeStrip(f.plot.left(), strip.top(), f.plot.width(), strip.height());
    p.setClipRect(timeStrip);
    const double step = niceStep(90 / f.pps);
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
    p.setPen(pal.color(QPalette::WindowText));
    for (double v = std::ceil(toSeconds(f.t0) / step) * step; v <= toSeconds(f.t1) + step;
         v += step) {
        if (v < -step / 2)
            continue; // no time before the run began
        const int x = f.x(timelineSeconds(v));
        p.drawLine(x, strip.bottom() - 4, x, strip.bottom());
        const QString text =
            QString::number(std::abs(v) < step / 2 ? 0.0 : v, 'f', decimals) + u" s";
        p.drawText(QRect(x + 3, strip.top(), 200, strip.height() - 2),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
    }
    // Overlaps marked along the axis too, so they show whichever lanes are scrolled into view.
    for (const OverlapItem& o : f.overlaps) {
        const int x0 = std::max(f.x(o.begin), f.plot.left() - 1);
        const int x1 = std::min(f.x(o.endOr(f.now)), f.plot.right() + 1);
        p.fillRect(QRect(x0, strip.bottom() - 3, std::max(2, x1 - x0), 4), overlapColor());
    }
    p.restore();
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(strip.left(), strip.bottom(), strip.right(), strip.bottom());
}

QVector<QPair<QRect, QString>> TimelineView::faultTags(const Frame& f, int elector,
                                                       const QRect& lane) const {
    const QFontMetrics fm(tagFont(font()));
    QVector<QPair<QRect, QString>> tags;
    int lastRight = std::numeric_limits<int>::min();
    m_history->forEachFault(elector, f.t0, f.t1, [&](const FaultItem& fault) {
        if (fault.instant)
            return;
        const int x0 = std::max(f.x(fault.begin), f.plot.left() - 2);
        const int x1 = std::min(f.x(fault.endOr(f.now)), f.plot.right() + 2);
        if (x1 <= lastRight)
            return;
        lastRight = x1;
        const int textWidth = fm.horizontalAdvance(fault.kind);
        if (textWidth + 8 > x1 - x0)
            return;
        tags.push_back(
            {QRect(std::max(x0, f.plot.left()) + 2, lane.top() + 1, textWidth + 6, fm.height()),
             fault.kind});
    });
    return tags;
}

std::optional<QRect> TimelineView::labelPlace(const QRect& bar, int textWidth, int textHeight,
                                              const QVector<QPair<QRect, QString>>& tags) {
    QRect r(bar.center().x() - textWidth / 2, bar.center().y() - textHeight / 2, textWidth,
            textHeight);
    for (const auto& [tag, kind] : tags)
        if (r.intersects(tag))
            r.moveLeft(tag.right() + 4);
    for (const auto& [tag, kind] : tags)
        if (r.intersects(tag))
            return std::nullopt;
    if (r.left() < bar.left() + 3 || r.right() > bar.right() - 3)
        return std::nullopt;
    return r;
}

void TimelineView::paintFaults(QPainter& p, const Frame& f, int elector, const QRect& lane,
                               bool labels) const {
    if (labels) {
        // The kind on a tag of its own colour, drawn over the bars so it is never hidden.
        p.setFont(tagFont(font()));
        for (const auto& [tag, kind] : faultTags(f, elector, lane)) {
            const QColor color = faultColor(kind);
            p.fillRect(tag, color);
            p.setPen(color.lightness() > 150 ? Qt::black : Qt::white);
            p.drawText(tag, Qt::AlignCenter, kind);
        }
        p.setFont(font());
        return;
    }
    int lastRight = std::numeric_limits<int>::min();
    m_history->forEachFault(elector, f.t0, f.t1, [&](const FaultItem& fault) {
        const QColor color = faultColor(fault.kind);
        const int x0 = std::max(f.x(fault.begin), f.plot.left() - 2);
        if (fault.instant) {
            p.setPen(QPen(color, 2));
            p.drawLine(x0, lane.top() + 1, x0, lane.bottom() - 1);
            return;
        }
        const int x1 = std::min(f.x(fault.endOr(f.now)), f.plot.right() + 2);
        if (x1 <= lastRight)
            return; // zoomed far out: this pixel is shaded already
        lastRight = x1;
        const QRect area(x0, lane.top() + 1, std::max(1, x1 - x0), lane.height() - 2);
        p.fillRect(area, withAlpha(color, 70));
        p.fillRect(QRect(area.left(), area.top(), 2, area.height()), color);
    });
}

void TimelineView::paintStoreLane(QPainter& p, const Frame& f, const QRect& lane) const {
    const QPalette& pal = palette();
    paintFaults(p, f, StoreLane, lane, false);
    const QColor fill = mix(pal.color(QPalette::Highlight), pal.color(QPalette::Base), 0.45);
    const QFontMetrics fm(font());
    const auto tags = faultTags(f, StoreLane, lane);
    int lastRight = std::numeric_limits<int>::min();
    m_history->forEachHolder(f.t0, f.t1, [&](const HolderItem& h) {
        const int x0 = std::max(f.x(h.begin), f.plot.left() - 2);
        const int x1 = std::min(f.x(h.endOr(f.now)), f.plot.right() + 2);
        if (x1 <= lastRight)
            return; // many short holds at this zoom: one pixel is already drawn
        lastRight = x1;
        const QRect bar(x0, lane.top() + 5, std::max(1, x1 - x0), lane.height() - 10);
        p.fillRect(bar, fill);
        if (bar.width() < 14)
            return; // no room for a fence: skip measuring it
        const QString fence = fenceLabel(h.fence);
        const QRect shown = bar.intersected(f.plot);
        const QString text =
            fm.elidedText(h.identity + u' ' + fence, Qt::ElideLeft, shown.width() - 6);
        const auto place = labelPlace(shown, fm.horizontalAdvance(text), fm.height(), tags);
        if (fm.horizontalAdvance(fence) + 6 < bar.width() && place) {
            p.setPen(pal.color(QPalette::Text));
            p.drawText(*place, Qt::AlignCenter, text);
        }
    });
    paintFaults(p, f, StoreLane, lane, true);
}

void TimelineView::paintElectorLane(QPainter& p, const Frame& f, int elector,
                                    const QRect& lane) const {
    const QPalette& pal = palette();
    paintFaults(p, f, elector, lane, false);

    const QFontMetrics fm(font());
    const auto tags = faultTags(f, elector, lane);
    const QColor bar = pal.color(QPalette::Highlight);
    const QColor barText = pal.color(QPalette::HighlightedText);
    // Zoomed far out, terms a pixel or two wide are merged into runs: one fill each.
    int runLeft = 0;
    int runRight = std::numeric_limits<int>::min();
    auto flush = [&] {
        if (runRight > runLeft)
            p.fillRect(QRect(runLeft, lane.top() + 5, runRight - runLeft, lane.height() - 10), bar);
        runRight = std::numeric_limits<int>::min();
    };
    m_history->forEachTerm(elector, f.t0, f.t1, [&](const TermItem& term) {
        const LabTime end = term.endOr(f.now);
        const int x0 = std::max(f.x(term.begin), f.plot.left() - 2);
        const int x1 = std::max(std::min(f.x(end), f.plot.right() + 2), x0 + 1);
        if (x1 - x0 <= 2) {
            if (x0 > runRight + 1) {
                flush();
                runLeft = x0;
            }
            runRight = std::max(runRight, x1);
            if (f.overlaps.isEmpty())
                return;
        }
        flush();
        const QRect r(x0, lane.top() + 5, x1 - x0, lane.height() - 10);
        p.fillRect(r, bar);
        for (const OverlapItem& o : f.overlaps) {
            if (!o.electors.contains(elector))
                continue;
            const LabTime b = std::max(term.begin, o.begin);
            const LabTime e = std::min(end, o.endOr(f.now));
            if (e < b)
                continue;
            const int ox0 = std::max(f.x(b), r.left());
            const int ox1 = std::min(f.x(e), r.right() + 1);
            p.fillRect(QRect(ox0, r.top(), std::max(2, ox1 - ox0), r.height()), overlapColor());
        }
        const QRect shown = r.intersected(f.plot);
        if (shown.width() < 14)
            return; // no room for a fence: skip measuring it
        const QString label = fenceLabel(term.fence);
        if (const auto place = labelPlace(shown, fm.horizontalAdvance(label), fm.height(), tags)) {
            p.setPen(barText);
            p.drawText(*place, Qt::AlignCenter, label);
        }
    });
    flush();

    paintExtendTicks(p, f, elector, lane);
    paintFaults(p, f, elector, lane, true);
}

// Each extend as a short tick at the top of its term's bar.
void TimelineView::paintExtendTicks(QPainter& p, const Frame& f, int elector,
                                    const QRect& lane) const {
    p.setPen(withAlpha(palette().color(QPalette::HighlightedText), 210));
    int lastX = -2'000'000; // left of any x (those are clamped to a million pixels)
    const int tickTop = lane.top() + 5;
    const int tickBottom = tickTop + std::max(3, (lane.height() - 10) / 3);
    m_history->forEachExtendTick(elector, f.t0, f.t1, [&](LabTime t) {
        const int x = f.x(t);
        if (x - lastX < 2)
            return; // ticks closer than a pixel or two would only smear
        lastX = x;
        p.drawLine(x, tickTop, x, tickBottom);
    });
}

} // namespace baton::lab
