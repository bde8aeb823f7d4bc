#include "cluster/cluster_view.h"

#include "style/lab_colors.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>
#include <numbers>

namespace baton::lab {

namespace {

// The part of [start, end] still ahead of `now`, in [0, 1].
double remaining(LabTime start, LabTime end, LabTime now) {
    if (end <= start)
        return 0;
    return std::clamp(toSeconds(end - now) / toSeconds(end - start), 0.0, 1.0);
}

// An arc from twelve o'clock, clockwise, covering `fraction` of the circle.
void drawRunningArc(QPainter& p, QPointF c, double radius, double fraction) {
    const QRectF r(c.x() - radius, c.y() - radius, 2 * radius, 2 * radius);
    p.drawArc(r, 90 * 16, -static_cast<int>(std::lround(fraction * 360 * 16)));
}

} // namespace

ClusterView::ClusterView(QWidget* parent)
    : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAccessibleName(QStringLiteral("Cluster"));
}

QColor ClusterView::color(ElectorState state) const {
    return stateColor(state, isDarkPalette(palette()));
}

void ClusterView::setSnapshot(const ClusterSnapshot& snapshot) {
    if (snapshot.electors.isEmpty() || snapshot.now < m_snapshot.now)
        m_terms.clear(); // a new run
    m_snapshot = snapshot;
    m_terms.see(snapshot.lock.fence);
    for (const ElectorView& e : snapshot.electors)
        m_terms.see(e.fence);
    if (m_selected >= m_snapshot.electors.size())
        setSelected(-1);
    update();
}

void ClusterView::setSelected(int id) {
    if (id >= m_snapshot.electors.size())
        id = -1;
    if (id == m_selected)
        return;
    m_selected = id;
    update();
    Q_EMIT selectionChanged(id);
}

ClusterLayout ClusterView::layout() const {
    return layoutCluster(m_snapshot, size(), font(), palette(), m_terms);
}

QRectF ClusterView::nodeRect(int id) const {
    if (id < 0 || id >= m_snapshot.electors.size())
        return {};
    const ClusterLayout l = layout();
    const QPointF c = l.nodes[id];
    return {c.x() - l.node, c.y() - l.node, 2 * l.node, 2 * l.node};
}

int ClusterView::electorAt(QPointF pos) const {
    const ClusterLayout l = layout();
    for (int i = 0; i < l.nodes.size(); ++i) {
        const QPointF d = pos - l.nodes[i];
        if (std::hypot(d.x(), d.y()) <= l.node + 6)
            return i;
    }
    return -1;
}

void ClusterView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const ClusterLayout l = layout();

    // Who the store says holds the lock, and who wrongly believes it leads.
    for (const auto& [id, line] : l.links) {
        const bool holder = m_snapshot.lock.holder == id;
        QPen pen(holder ? color(ElectorState::Leader) : errorColor(isDarkPalette(palette())),
                 holder ? 3 : 2);
        if (!holder)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(line);
    }
    paintLock(p, l);
    for (int i = 0; i < m_snapshot.electors.size(); ++i)
        paintNode(p, l, m_snapshot.electors[i], l.nodes[i]);
    paintLegend(p, l);
    for (const PlacedLabel& label : l.labels) {
        p.setFont(label.font);
        p.setPen(label.color);
        p.drawText(label.rect, Qt::AlignCenter | Qt::TextDontClip, label.text);
    }
}

void ClusterView::paintLock(QPainter& p, const ClusterLayout& l) const {
    const LockView& lock = m_snapshot.lock;
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.setBrush(palette().alternateBase());
    p.drawEllipse(l.centre, l.lock, l.lock);
    if (!lock.known || lock.ttl.count() <= 0 || (lock.holder < 0 && lock.holderIdentity.isEmpty()))
        return;
    const double left = std::max(0.0, toSeconds(lock.expiresAt - m_snapshot.now));
    const double fraction = std::clamp(left / toSeconds(lock.ttl), 0.0, 1.0);
    if (fraction > 0) {
        p.setPen(QPen(color(ElectorState::Leader), 5, Qt::SolidLine, Qt::FlatCap));
        p.setBrush(Qt::NoBrush);
        drawRunningArc(p, l.centre, l.lock - 4, fraction);
    }
}

QString ClusterView::lockTooltip() const {
    const LockView& lock = m_snapshot.lock;
    if (!lock.known)
        return QStringLiteral("<b>lock</b>: unknown (%1)")
            .arg(m_snapshot.storeStatus.isEmpty() ? QStringLiteral("not read yet")
                                                  : m_snapshot.storeStatus.toHtmlEscaped());
    if (lock.holder < 0 && lock.holderIdentity.isEmpty() && lock.fence == 0)
        return QStringLiteral("<b>lock</b>: free");
    return QStringLiteral("<b>lock</b> held by %1<br>fence %2 (%3)<br>TTL left %4 s of %5 s")
        .arg(lock.holderIdentity.isEmpty() ? QStringLiteral("an unknown holder")
                                           : lock.holderIdentity.toHtmlEscaped())
        .arg(lock.fence)
        .arg(m_terms.label(lock.fence),
             formatSeconds(std::max(Duration(0), lock.expiresAt - m_snapshot.now)),
             formatSeconds(lock.ttl));
}

void ClusterView::paintNode(QPainter& p, const ClusterLayout& l, const ElectorView& e,
                            QPointF c) const {
    const double r = l.node;
    const bool wrong = wronglyBelievesItLeads(e, m_snapshot.lock);
    // The arc: a leader's lease running down to its self-fencing deadline, a follower's wait
    // for its next try.
    const double fraction = remaining(e.leaseStart, e.leaseEnd, m_snapshot.now);
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(palette().color(QPalette::Midlight), 4));
    p.drawEllipse(c, r + 5, r + 5);
    if (fraction > 0) {
        const QColor arc =
            e.believesLeader ? color(ElectorState::Leader) : palette().color(QPalette::Highlight);
        p.setPen(QPen(arc, 4, Qt::SolidLine, Qt::FlatCap));
        drawRunningArc(p, c, r + 5, fraction);
    }
    if (e.id == m_selected) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2, Qt::DotLine));
        p.drawEllipse(c, r + 10, r + 10);
    }
    p.setPen(wrong ? QPen(errorColor(isDarkPalette(palette())), 4)
                   : QPen(palette().color(QPalette::Shadow), 1));
    p.setBrush(color(e.state));
    p.drawEllipse(c, r, r);
}

void ClusterView::paintLegend(QPainter& p, const ClusterLayout& l) const {
    // The swatches left of the legend's words: the states' colours, then the warning's ring.
    const ElectorState states[] = {ElectorState::Leader,  ElectorState::Follower,
                                   ElectorState::Paused,  ElectorState::Partitioned,
                                   ElectorState::Crashed, ElectorState::Stopped};
    int i = 0;
    for (const PlacedLabel& label : l.labels) {
        if (label.role != u"legend")
            continue;
        const QRectF swatch(label.rect.left() - 14, label.rect.center().y() - 5, 10, 10);
        if (i < 6) {
            p.setPen(Qt::NoPen);
            p.setBrush(color(states[i]));
        } else {
            p.setPen(QPen(errorColor(isDarkPalette(palette())), 2));
            p.setBrush(Qt::NoBrush);
        }
        p.drawEllipse(swatch);
        ++i;
    }
}

QString ClusterView::tooltipFor(const ElectorView& e) const {
    QStringList lines;
    lines << QStringLiteral("<b>%1</b> (%2%3)")
                 .arg(e.identity.toHtmlEscaped(), kindName(e.kind),
                      e.pollingOnly ? QStringLiteral(", polling-only mode") : QString());
    lines << QStringLiteral("state: %1%2")
                 .arg(stateName(e.state),
                      wronglyBelievesItLeads(e, m_snapshot.lock)
                          ? QStringLiteral(" — <span style='color:#d32f2f'>believes it leads! "
                                           "The store says %1</span>")
                                .arg(m_snapshot.lock.holder < 0
                                         ? QStringLiteral("nobody")
                                         : m_snapshot.lock.holderIdentity.toHtmlEscaped())
                          : QString());
    if (e.fence > 0)
        lines << (e.fence > 999'999
                      ? QStringLiteral("fence: %1 (%2)").arg(e.fence).arg(m_terms.label(e.fence))
                      : QStringLiteral("fence: %1").arg(e.fence));
    if (e.leaseEnd > e.leaseStart)
        lines << QStringLiteral("%1 in %2 s")
                     .arg(e.believesLeader ? QStringLiteral("lease ends")
                                           : QStringLiteral("next try"),
                          formatSeconds(std::max(Duration(0), e.leaseEnd - m_snapshot.now)));
    lines << QStringLiteral("ttl %1 s · refresh %2 s · retry %3 s")
                 .arg(formatSeconds(e.timing.ttl), formatSeconds(e.timing.refreshInterval),
                      formatSeconds(e.timing.retryInterval));
    if (!e.seenLeader.isEmpty())
        lines << QStringLiteral("sees leader: %1").arg(e.seenLeader.toHtmlEscaped());
    if (!e.note.isEmpty())
        lines << e.note.toHtmlEscaped();
    return lines.join(QStringLiteral("<br>"));
}

bool ClusterView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int id = electorAt(help->pos());
        const ClusterLayout l = layout();
        const QPointF d = help->pos() - l.centre;
        if (id >= 0)
            QToolTip::showText(help->globalPos(), tooltipFor(m_snapshot.electors[id]), this,
                               nodeRect(id).toAlignedRect());
        else if (std::hypot(d.x(), d.y()) <= l.lock)
            QToolTip::showText(help->globalPos(), lockTooltip(), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void ClusterView::mousePressEvent(QMouseEvent* event) {
    setFocus(Qt::MouseFocusReason);
    setSelected(electorAt(event->position()));
}

void ClusterView::contextMenuEvent(QContextMenuEvent* event) {
    const int id = electorAt(event->pos());
    if (id >= 0)
        setSelected(id);
    Q_EMIT contextMenuRequestedFor(id, event->globalPos());
}

void ClusterView::keyPressEvent(QKeyEvent* event) {
    const int n = static_cast<int>(m_snapshot.electors.size());
    if (n == 0)
        return QWidget::keyPressEvent(event);
    if (event->key() == Qt::Key_Right || event->key() == Qt::Key_Down) {
        setSelected((m_selected + 1) % n);
    } else if (event->key() == Qt::Key_Left || event->key() == Qt::Key_Up) {
        setSelected((m_selected <= 0 ? n : m_selected) - 1);
    } else if (event->key() == Qt::Key_Escape) {
        setSelected(-1);
    } else {
        QWidget::keyPressEvent(event);
    }
}

} // namespace baton::lab
