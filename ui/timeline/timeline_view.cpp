#include "timeline/timeline_view.h"

#include "timeline/timeline_units.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
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

int toMilliseconds(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, std::numeric_limits<int>::max()));
}

} // namespace

int TimelineView::Frame::x(LabTime t) const {
    const double px = plot.left() + toSeconds(t - t0) * pps;
    return static_cast<int>(std::lround(std::clamp(px, -1e6, 1e6)));
}

QRect TimelineView::Frame::lane(qsizetype i) const {
    return QRect(plot.left(), firstLaneY + static_cast<int>(i) * laneHeight, plot.width(),
                 laneHeight);
}

bool TimelineView::Frame::shows(const QRect& lane) const {
    return lane.bottom() >= plot.top() && lane.top() <= canvas.bottom();
}

LabTime TimelineView::Frame::time(double px) const {
    return t0 + timelineSeconds((px - plot.left()) / pps);
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
    return timelineSeconds(std::max(1, canvasRect().width() - labelWidth()) / m_pps);
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
        scrollTo(anchor + timelineSeconds((f.plot.left() + f.plot.width() - anchorX) / m_pps));
    syncScrollBars();
    update();
}

void TimelineView::scrollBy(double fractionOfWindow) {
    scrollTo(visibleEnd() + timelineSeconds(toSeconds(span()) * fractionOfWindow));
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
    f.t0 = f.t1 - timelineSeconds(f.plot.width() / m_pps);
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
    return f.lane(i).intersected(f.plot);
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
        scrollTo(m_dragEnd - timelineSeconds(dx / m_pps));
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
