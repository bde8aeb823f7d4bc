#include "timeline/timeline_view.h"

#include "style/fault_colors.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSaveFile>
#include <QScrollBar>
#include <QStringList>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace baton::lab {

namespace {

constexpr double minPixelsPerSecond = 1e-3; // about a day across a wide window
constexpr double maxPixelsPerSecond = 1e5;  // 10 microseconds per pixel
constexpr double zoomStep = 1.5;

Duration fromSeconds(double s) {
    s = std::clamp(s, -1e9, 1e9); // far inside what nanoseconds in 64 bits hold
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

QString secondsText(LabTime t) {
    return formatSeconds(t) + u" s";
}

int toMilliseconds(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, std::numeric_limits<int>::max()));
}

QColor withAlpha(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QString spanText(LabTime begin, LabTime end, bool open) {
    if (open)
        return u"since " + secondsText(begin) + u" (" + secondsText(end - begin) + u" so far)";
    return u"from " + secondsText(begin) + u" to " + secondsText(end) + u" (" +
           secondsText(end - begin) + u")";
}

} // namespace

int TimelineView::Frame::x(LabTime t) const {
    const double px = plot.left() + toSeconds(t - t0) * pps;
    return static_cast<int>(std::lround(std::clamp(px, -1e6, 1e6)));
}

LabTime TimelineView::Frame::time(double px) const {
    return t0 + fromSeconds((px - plot.left()) / pps);
}

TimelineView::TimelineView(LeadershipHistory* history, QWidget* parent)
    : QWidget(parent)
    , m_history(history)
    , m_hbar(new QScrollBar(Qt::Horizontal, this))
    , m_vbar(new QScrollBar(Qt::Vertical, this)) {
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(tr("Leadership timeline"));
    m_hbar->setAccessibleName(tr("Timeline position"));
    m_vbar->hide();
    connect(m_history, &LeadershipHistory::changed, this, &TimelineView::onHistoryChanged);
    connect(m_hbar, &QScrollBar::valueChanged, this, &TimelineView::onHorizontalScroll);
    connect(m_vbar, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    syncScrollBars();
}

LabTime TimelineView::visibleEnd() const {
    return m_follow ? m_history->now() : m_end;
}

LabTime TimelineView::visibleBegin() const {
    return visibleEnd() - span();
}

LabTime TimelineView::span() const {
    return fromSeconds(std::max(1, canvasRect().width() - labelWidth()) / m_pps);
}

void TimelineView::scrollTo(LabTime end) {
    const LabTime now = m_history->now();
    const LabTime lowest = std::min(now, m_history->earliest() + span());
    end = std::clamp(end, lowest, std::max(now, lowest));
    if (end >= now) {
        setFollowLive(true);
        return;
    }
    m_end = end;
    const bool was = m_follow;
    m_follow = false;
    syncScrollBars();
    update();
    if (was)
        Q_EMIT followLiveChanged(false);
}

void TimelineView::setFollowLive(bool follow) {
    if (!follow && m_follow)
        m_end = m_history->now();
    const bool changed = follow != m_follow;
    m_follow = follow;
    syncScrollBars();
    update();
    if (changed)
        Q_EMIT followLiveChanged(follow);
}

void TimelineView::zoomIn() {
    const QRect plot = plotRect();
    zoomBy(zoomStep, m_follow ? plot.right() + 1 : plot.center().x());
}

void TimelineView::zoomOut() {
    const QRect plot = plotRect();
    zoomBy(1 / zoomStep, m_follow ? plot.right() + 1 : plot.center().x());
}

void TimelineView::zoomBy(double factor, int anchorX) {
    const Frame f = widgetFrame();
    const LabTime anchor = f.time(anchorX);
    const double pps = std::clamp(m_pps * factor, minPixelsPerSecond, maxPixelsPerSecond);
    if (pps == m_pps)
        return;
    m_pps = pps;
    // Keep the time under the anchor where it is; a live view keeps now at the right edge.
    if (!m_follow)
        scrollTo(anchor + fromSeconds((f.plot.left() + f.plot.width() - anchorX) / m_pps));
    syncScrollBars();
    update();
}

void TimelineView::scrollBy(double fractionOfWindow) {
    scrollTo(visibleEnd() + fromSeconds(toSeconds(span()) * fractionOfWindow));
}

QRect TimelineView::canvasRect() const {
    const int vbar = m_vbar->isHidden() ? 0 : m_vbar->sizeHint().width();
    return QRect(0, 0, std::max(1, width() - vbar),
                 std::max(1, height() - m_hbar->sizeHint().height()));
}

QRect TimelineView::plotRect() const {
    return widgetFrame().plot;
}

int TimelineView::laneHeight() const {
    return std::max(22, fontMetrics().height() + 10);
}

int TimelineView::axisHeight() const {
    return fontMetrics().height() + 8;
}

int TimelineView::labelWidth() const {
    const QFontMetrics fm = fontMetrics();
    int widest = fm.horizontalAdvance(tr("lock"));
    for (int id : m_history->electors())
        widest = std::max(widest, fm.horizontalAdvance(m_history->identity(id)));
    return std::clamp(widest + 16, 80, 200);
}

TimelineView::Frame TimelineView::frame(const QRect& canvas, int scrolled) const {
    Frame f;
    f.canvas = canvas;
    const int label = labelWidth();
    const int axis = axisHeight();
    f.plot = QRect(canvas.left() + label, canvas.top() + axis, std::max(1, canvas.width() - label),
                   std::max(0, canvas.height() - axis));
    f.pps = m_pps;
    f.now = m_history->now();
    f.t1 = visibleEnd();
    f.t0 = f.t1 - fromSeconds(f.plot.width() / m_pps);
    f.laneHeight = laneHeight();
    f.firstLaneY = f.plot.top() - scrolled;
    f.lanes.append(StoreLane);
    f.lanes.append(m_history->electors());
    f.overlaps = m_history->overlaps(f.t0, f.t1);
    return f;
}

TimelineView::Frame TimelineView::widgetFrame() const {
    return frame(canvasRect(), m_vbar->isHidden() ? 0 : m_vbar->value());
}

QRect TimelineView::laneRect(int elector) const {
    const Frame f = widgetFrame();
    const auto i = f.lanes.indexOf(elector);
    if (i < 0)
        return {};
    const QRect lane(f.plot.left(), f.firstLaneY + static_cast<int>(i) * f.laneHeight,
                     f.plot.width(), f.laneHeight);
    return lane.intersected(f.plot);
}

int TimelineView::xForTime(LabTime t) const {
    return widgetFrame().x(t);
}

LabTime TimelineView::timeAt(int x) const {
    return widgetFrame().time(x);
}

QSize TimelineView::sizeHint() const {
    return {900, axisHeight() + 6 * laneHeight() + m_hbar->sizeHint().height()};
}

QSize TimelineView::minimumSizeHint() const {
    return {240, axisHeight() + 2 * laneHeight() + m_hbar->sizeHint().height()};
}

// --- painting ---------------------------------------------------------------------------------

void TimelineView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    render(p, widgetFrame());
}

void TimelineView::render(QPainter& p, const Frame& f) const {
    const QPalette& pal = palette();
    p.setFont(font());
    p.fillRect(f.canvas, pal.color(QPalette::Base));

    // Lane backgrounds, then the time grid over them, then the items on top.
    const int lh = f.laneHeight;
    auto laneAt = [&](qsizetype i) {
        return QRect(f.plot.left(), f.firstLaneY + static_cast<int>(i) * lh, f.plot.width(), lh);
    };
    auto visible = [&](const QRect& lane) {
        return lane.bottom() >= f.plot.top() && lane.top() <= f.canvas.bottom();
    };
    p.save();
    p.setClipRect(f.plot);
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = laneAt(i);
        if (visible(lane) && i % 2 == 1)
            p.fillRect(lane, pal.color(QPalette::AlternateBase));
    }
    const double step = niceStep(90 / f.pps);
    p.setPen(withAlpha(pal.color(QPalette::Text), 28));
    for (double v = std::ceil(toSeconds(f.t0) / step) * step; v <= toSeconds(f.t1); v += step)
        p.drawLine(f.x(fromSeconds(v)), f.plot.top(), f.x(fromSeconds(v)), f.plot.bottom());
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = laneAt(i);
        if (!visible(lane))
            continue;
        if (f.lanes[i] == StoreLane)
            paintStoreLane(p, f, lane);
        else
            paintElectorLane(p, f, f.lanes[i], lane);
    }
    p.restore();

    // Labels, in a column of their own.
    const QRect labels(f.canvas.left(), f.plot.top(), f.plot.left() - f.canvas.left(),
                       f.plot.height());
    p.save();
    p.setClipRect(labels);
    p.fillRect(labels, pal.color(QPalette::Window));
    const QFontMetrics fm(font());
    for (qsizetype i = 0; i < f.lanes.size(); ++i) {
        const QRect lane = laneAt(i);
        if (!visible(lane))
            continue;
        const QRect label(labels.left() + 6, lane.top(), labels.width() - 10, lh);
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
        const int x = f.x(fromSeconds(v));
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

void TimelineView::paintFaults(QPainter& p, const Frame& f, int elector, const QRect& lane,
                               bool labels) const {
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
    const QFontMetrics fm(small);
    p.setFont(small);
    int lastRight = std::numeric_limits<int>::min();
    m_history->forEachFault(elector, f.t0, f.t1, [&](const FaultItem& fault) {
        const QColor color = faultColor(fault.kind);
        const int x0 = std::max(f.x(fault.begin), f.plot.left() - 2);
        if (fault.instant) {
            if (!labels) {
                p.setPen(QPen(color, 2));
                p.drawLine(x0, lane.top() + 1, x0, lane.bottom() - 1);
            }
            return;
        }
        const int x1 = std::min(f.x(fault.endOr(f.now)), f.plot.right() + 2);
        if (x1 <= lastRight)
            return; // zoomed far out: this pixel is shaded already
        lastRight = x1;
        const QRect area(x0, lane.top() + 1, std::max(1, x1 - x0), lane.height() - 2);
        if (!labels) {
            p.fillRect(area, withAlpha(color, 70));
            p.fillRect(QRect(area.left(), area.top(), 2, area.height()), color);
            return;
        }
        // The kind on a tag of its own colour, drawn over the bars so it is never hidden.
        const int textWidth = fm.horizontalAdvance(fault.kind);
        if (textWidth + 8 > area.width())
            return;
        const QRect tag(std::max(area.left(), f.plot.left()) + 2, lane.top() + 1, textWidth + 6,
                        fm.height());
        p.fillRect(tag, color);
        p.setPen(color.lightness() > 150 ? Qt::black : Qt::white);
        p.drawText(tag, Qt::AlignCenter, fault.kind);
    });
    p.setFont(font());
}

void TimelineView::paintStoreLane(QPainter& p, const Frame& f, const QRect& lane) const {
    const QPalette& pal = palette();
    paintFaults(p, f, StoreLane, lane, false);
    const QColor fill = mix(pal.color(QPalette::Highlight), pal.color(QPalette::Base), 0.45);
    const QFontMetrics fm(font());
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
        if (fm.horizontalAdvance(fence) + 6 < bar.width()) {
            p.setPen(pal.color(QPalette::Text));
            p.drawText(bar.intersected(f.plot).adjusted(3, 0, -3, 0), Qt::AlignCenter,
                       fm.elidedText(h.identity + u' ' + fence, Qt::ElideLeft, bar.width() - 6));
        }
    });
    paintFaults(p, f, StoreLane, lane, true);
}

void TimelineView::paintElectorLane(QPainter& p, const Frame& f, int elector,
                                    const QRect& lane) const {
    const QPalette& pal = palette();
    paintFaults(p, f, elector, lane, false);

    const QFontMetrics fm(font());
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
        if (fm.horizontalAdvance(label) + 6 < shown.width()) {
            p.setPen(barText);
            p.drawText(shown, Qt::AlignCenter, label);
        }
    });
    flush();

    p.setPen(withAlpha(barText, 210));
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
    paintFaults(p, f, elector, lane, true);
}

// --- tooltips ---------------------------------------------------------------------------------

QString TimelineView::toolTipAt(const QPoint& pos) const {
    const Frame f = widgetFrame();
    if (!f.canvas.contains(pos))
        return {};
    const LabTime t = f.time(pos.x());
    const Duration tolerance = fromSeconds(3 / f.pps);
    const LabTime lo = t - tolerance;
    const LabTime hi = t + tolerance;
    QStringList lines;

    auto overlapLine = [this, &f](const OverlapItem& o) {
        QStringList who;
        for (int id : o.electors)
            who.append(m_history->identity(id));
        return tr("overlap: %1 led at once %2")
            .arg(who.join(tr(" and ")), spanText(o.begin, o.endOr(f.now), o.open));
    };
    auto faultLines = [&lines, &f](const QString& who, const QVector<FaultItem>& faults) {
        for (const FaultItem& fault : faults) {
            QString line = who + u' ' + fault.kind + u' ';
            if (fault.instant)
                line += u"at " + secondsText(fault.begin);
            else
                line += spanText(fault.begin, fault.endOr(f.now), fault.open);
            if (fault.open && fault.until > LabTime::zero())
                line += u", planned until " + secondsText(fault.until);
            if (!fault.detail.isEmpty())
                line += u": " + fault.detail;
            lines.append(line);
        }
    };

    if (pos.y() < f.plot.top()) {
        if (pos.x() < f.plot.left())
            return {};
        for (const OverlapItem& o : m_history->overlaps(lo, hi))
            lines.append(overlapLine(o));
        return lines.join(u'\n');
    }
    const int index = (pos.y() - f.firstLaneY) / f.laneHeight;
    if (pos.y() < f.firstLaneY || index >= f.lanes.size())
        return {};
    const int elector = f.lanes[index];
    if (pos.x() < f.plot.left())
        return elector == StoreLane ? tr("the lock as the store holds it")
                                    : m_history->identity(elector);

    if (elector == StoreLane) {
        for (const HolderItem& h : m_history->holders(lo, hi)) {
            const LabTime end = h.endOr(f.now);
            lines.append(h.open
                             ? tr("lock held by %1 #%2 since %3 (%4 so far)")
                                   .arg(h.identity, QString::number(h.fence), secondsText(h.begin),
                                        secondsText(end - h.begin))
                             : tr("lock held by %1 #%2 from %3 to %4 (%5)")
                                   .arg(h.identity, QString::number(h.fence), secondsText(h.begin),
                                        secondsText(end), secondsText(end - h.begin)));
        }
        faultLines(tr("all electors:"), m_history->clusterFaults(lo, hi));
        for (const OverlapItem& o : m_history->overlaps(lo, hi))
            lines.append(overlapLine(o));
        return lines.join(u'\n');
    }

    const QString who = m_history->identity(elector);
    for (const TermItem& term : m_history->terms(elector, lo, hi)) {
        const LabTime end = term.endOr(f.now);
        if (term.open) {
            lines.append(tr("%1 leader #%2 from %3, leading now (%4 so far)")
                             .arg(who, QString::number(term.fence), secondsText(term.begin),
                                  secondsText(end - term.begin)));
            if (term.deadline > LabTime::zero())
                lines.append(tr("self-fencing deadline %1").arg(secondsText(term.deadline)));
        } else {
            lines.append(tr("%1 leader #%2 from %3 to %4 (%5)")
                             .arg(who, QString::number(term.fence), secondsText(term.begin),
                                  secondsText(end), secondsText(end - term.begin)));
            lines.append(tr("ended: %1").arg(termEndName(term.how)));
        }
    }
    const QVector<LabTime> ticks = m_history->extendTicks(elector, lo, hi);
    if (!ticks.isEmpty()) {
        const auto nearest =
            std::min_element(ticks.begin(), ticks.end(), [t](LabTime a, LabTime b) {
                return (a > t ? a - t : t - a) < (b > t ? b - t : t - b);
            });
        lines.append(tr("extended at %1").arg(secondsText(*nearest)));
    }
    for (const OverlapItem& o : m_history->overlaps(lo, hi))
        if (o.electors.contains(elector))
            lines.append(overlapLine(o));
    faultLines(who, m_history->faults(elector, lo, hi));
    return lines.join(u'\n');
}

// --- export -----------------------------------------------------------------------------------

QSize TimelineView::exportSize() const {
    const auto lanes = 1 + m_history->electors().size();
    return {canvasRect().width(), axisHeight() + static_cast<int>(lanes) * laneHeight()};
}

bool TimelineView::exportPng(const QString& path, QString* error) const {
    if (path.isEmpty()) {
        if (error)
            *error = tr("No file name given for the timeline image; choose a file ending in .png.");
        return false;
    }
    const QSize size = exportSize();
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::TextAntialiasing);
        render(p, frame(QRect(QPoint(0, 0), size), 0));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    return true;
}

bool TimelineView::exportSvg(const QString& path, QString* error) const {
    if (path.isEmpty()) {
        if (error)
            *error =
                tr("No file name given for the timeline drawing; choose a file ending in .svg.");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    const QSize size = exportSize();
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(tr("Baton leadership timeline"));
    svg.setDescription(
        tr("Lab time %1 to %2").arg(secondsText(visibleBegin()), secondsText(visibleEnd())));
    {
        QPainter p(&svg);
        render(p, frame(QRect(QPoint(0, 0), size), 0));
    }
    if (!file.commit()) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    return true;
}

// --- interaction ------------------------------------------------------------------------------

bool TimelineView::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            e->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(e);
}

void TimelineView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    syncScrollBars();
}

void TimelineView::changeEvent(QEvent* e) {
    QWidget::changeEvent(e);
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange ||
        e->type() == QEvent::StyleChange) {
        syncScrollBars();
        update();
    }
}

void TimelineView::wheelEvent(QWheelEvent* e) {
    const QPoint delta = e->angleDelta();
    if (e->modifiers() & Qt::ControlModifier) {
        if (delta.y() != 0)
            zoomBy(std::pow(1.25, delta.y() / 120.0), static_cast<int>(e->position().x()));
    } else if (delta.x() != 0 || (e->modifiers() & Qt::ShiftModifier)) {
        const int d = delta.x() != 0 ? delta.x() : delta.y();
        scrollBy(-d / 120.0 * 0.1);
    } else if (!m_vbar->isHidden()) {
        m_vbar->setValue(m_vbar->value() - delta.y() * laneHeight() * 3 / 120);
    } else {
        scrollBy(-delta.y() / 120.0 * 0.1);
    }
    e->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton && plotRect().contains(e->position().toPoint())) {
        m_dragging = true;
        m_dragX = e->position().toPoint().x();
        m_dragEnd = visibleEnd();
        setCursor(Qt::ClosedHandCursor);
        e->accept();
        return;
    }
    QWidget::mousePressEvent(e);
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
    if (m_dragging) {
        const int dx = e->position().toPoint().x() - m_dragX;
        scrollTo(m_dragEnd - fromSeconds(dx / m_pps));
        e->accept();
        return;
    }
    QWidget::mouseMoveEvent(e);
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e) {
    if (m_dragging && e->button() == Qt::LeftButton) {
        m_dragging = false;
        unsetCursor();
        e->accept();
        return;
    }
    QWidget::mouseReleaseEvent(e);
}

void TimelineView::keyPressEvent(QKeyEvent* e) {
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_Left:
        scrollBy(-0.1);
        break;
    case Qt::Key_Right:
        scrollBy(0.1);
        break;
    case Qt::Key_Home:
        scrollTo(m_history->earliest() + span());
        break;
    case Qt::Key_End:
        setFollowLive(true);
        break;
    default:
        QWidget::keyPressEvent(e);
        return;
    }
    e->accept();
}

// --- scrolling --------------------------------------------------------------------------------

void TimelineView::onHistoryChanged() {
    if (!m_follow) {
        // Old items may have been dropped: never show a window before what is kept.
        const LabTime now = m_history->now();
        const LabTime lowest = std::min(now, m_history->earliest() + span());
        m_end = std::clamp(m_end, lowest, std::max(now, lowest));
    }
    syncScrollBars();
    update();
}

void TimelineView::syncScrollBars() {
    m_syncing = true;
    const int hbarHeight = m_hbar->sizeHint().height();
    const int vbarWidth = m_vbar->sizeHint().width();
    const int lanesHeight = static_cast<int>(1 + m_history->electors().size()) * laneHeight();
    const int available = height() - hbarHeight - axisHeight();
    const bool needVertical = lanesHeight > available && available > 0;
    if (needVertical == m_vbar->isHidden())
        m_vbar->setVisible(needVertical);

    const QRect canvas = canvasRect();
    m_hbar->setGeometry(0, height() - hbarHeight, canvas.width(), hbarHeight);
    m_vbar->setGeometry(width() - vbarWidth, axisHeight(), vbarWidth,
                        std::max(0, canvas.height() - axisHeight()));
    m_vbar->setRange(0, needVertical ? lanesHeight - available : 0);
    m_vbar->setPageStep(std::max(1, available));
    m_vbar->setSingleStep(laneHeight());

    // The horizontal bar counts milliseconds from the earliest kept item.
    const LabTime now = m_history->now();
    const LabTime earliest = m_history->earliest();
    const Duration window = span();
    const int maximum = toMilliseconds(now - window - earliest);
    m_hbar->setRange(0, maximum);
    m_hbar->setPageStep(std::max(1, toMilliseconds(window)));
    m_hbar->setSingleStep(std::max(1, toMilliseconds(window) / 10));
    m_hbar->setValue(m_follow ? maximum : toMilliseconds(m_end - window - earliest));
    m_syncing = false;
}

void TimelineView::onHorizontalScroll(int value) {
    if (m_syncing)
        return;
    if (value >= m_hbar->maximum()) {
        setFollowLive(true);
        return;
    }
    scrollTo(m_history->earliest() + std::chrono::milliseconds(value) + span());
}

} // namespace baton::lab
