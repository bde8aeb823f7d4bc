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

bool ClusterView::wronglyBelievesItLeads(const ElectorView& e, const LockView& lock) {
    return e.believesLeader && lock.known && lock.holder != e.id;
}

void ClusterView::setSnapshot(const ClusterSnapshot& snapshot) {
    m_snapshot = snapshot;
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

ClusterView::Geometry ClusterView::geometry() const {
    Geometry g;
    const QRectF area = QRectF(rect()).adjusted(8, 28, -8, -8);
    g.centre = area.center();
    const double half = std::min(area.width(), area.height()) / 2;
    const int n = std::max<qsizetype>(1, m_snapshot.electors.size());
    g.node = std::clamp(half * 0.17, 7.0, 46.0);
    g.ring = std::max(half - g.node - 14, g.node);
    // Neighbours must not overlap: the chord between them bounds the radius.
    if (n > 1)
        g.node = std::min(g.node, g.ring * std::sin(std::numbers::pi / n) * 0.8);
    g.node = std::max(g.node, 4.0);
    g.lock = std::clamp((g.ring - g.node) * 0.45, 18.0, 70.0);
    return g;
}

QPointF ClusterView::nodeCentre(const Geometry& g, int index) const {
    const int n = std::max<qsizetype>(1, m_snapshot.electors.size());
    const double a = -std::numbers::pi / 2 + 2 * std::numbers::pi * index / n;
    return g.centre + QPointF(std::cos(a), std::sin(a)) * g.ring;
}

QRectF ClusterView::nodeRect(int id) const {
    if (id < 0 || id >= m_snapshot.electors.size())
        return {};
    const Geometry g = geometry();
    const QPointF c = nodeCentre(g, id);
    return {c.x() - g.node, c.y() - g.node, 2 * g.node, 2 * g.node};
}

int ClusterView::electorAt(QPointF pos) const {
    const Geometry g = geometry();
    for (int i = 0; i < m_snapshot.electors.size(); ++i) {
        const QPointF d = pos - nodeCentre(g, i);
        if (std::hypot(d.x(), d.y()) <= g.node + 6)
            return i;
    }
    return -1;
}

void ClusterView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const Geometry g = geometry();

    // Who the store says holds the lock, and who wrongly believes it leads.
    for (int i = 0; i < m_snapshot.electors.size(); ++i) {
        const ElectorView& e = m_snapshot.electors[i];
        const bool holder = m_snapshot.lock.holder == e.id;
        const bool wrong = wronglyBelievesItLeads(e, m_snapshot.lock);
        if (!holder && !wrong)
            continue;
        QPen pen(holder ? color(ElectorState::Leader) : errorColor(isDarkPalette(palette())),
                 holder ? 3 : 2);
        if (wrong)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(g.centre, nodeCentre(g, i));
    }
    paintLock(p, g);
    for (int i = 0; i < m_snapshot.electors.size(); ++i)
        paintNode(p, g, m_snapshot.electors[i], nodeCentre(g, i));
    paintLegend(p);
}

void ClusterView::paintLock(QPainter& p, const Geometry& g) const {
    const LockView& lock = m_snapshot.lock;
    const QRectF r(g.centre.x() - g.lock, g.centre.y() - g.lock, 2 * g.lock, 2 * g.lock);
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.setBrush(palette().alternateBase());
    p.drawEllipse(r);

    QString title = QStringLiteral("lock");
    QString holder;
    QString detail;
    double fraction = 0;
    if (!lock.known) {
        holder = QStringLiteral("unknown");
        detail = m_snapshot.storeStatus.isEmpty() ? QStringLiteral("store not read yet")
                                                  : QStringLiteral("store not answering");
    } else if (lock.holderIdentity.isEmpty() && lock.holder < 0 && lock.fence == 0) {
        holder = QStringLiteral("free");
    } else {
        holder = lock.holderIdentity.isEmpty() ? QStringLiteral("(unknown holder)")
                                               : lock.holderIdentity;
        const double left = std::max(0.0, toSeconds(lock.expiresAt - m_snapshot.now));
        detail = fenceLabel(lock.fence) + QStringLiteral(" · TTL %1 s").arg(left, 0, 'f', 1);
        if (lock.ttl.count() > 0)
            fraction = std::clamp(left / toSeconds(lock.ttl), 0.0, 1.0);
    }
    if (fraction > 0) {
        p.setPen(QPen(color(ElectorState::Leader), 5, Qt::SolidLine, Qt::FlatCap));
        p.setBrush(Qt::NoBrush);
        drawRunningArc(p, g.centre, g.lock - 4, fraction);
    }
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    p.setFont(f);
    QColor dim = palette().color(QPalette::Text);
    dim.setAlphaF(0.6);
    p.setPen(dim);
    const double w = g.lock * 1.7;
    p.drawText(QRectF(g.centre.x() - w / 2, g.centre.y() - g.lock * 0.62, w, g.lock * 0.35),
               Qt::AlignCenter, title);
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRectF(g.centre.x() - w / 2, g.centre.y() - g.lock * 0.25, w, g.lock * 0.45),
               Qt::AlignCenter,
               QFontMetrics(bold).elidedText(holder, Qt::ElideRight, static_cast<int>(w)));
    p.setFont(f);
    p.drawText(QRectF(g.centre.x() - w / 2, g.centre.y() + g.lock * 0.2, w, g.lock * 0.35),
               Qt::AlignCenter, detail);
}

void ClusterView::paintNode(QPainter& p, const Geometry& g, const ElectorView& e, QPointF c) const {
    const double r = g.node;
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

    if (r < 16)
        return; // too small for words: the tooltip has them
    QFont small = font();
    small.setPointSizeF(std::max(6.5, std::min(small.pointSizeF(), r / 3.2)));
    QFont bold = small;
    bold.setBold(true);
    const double w = 2 * r - 6;
    // Words on the node in whichever of black and white reads on its fill (lighter on dark).
    const QColor fill = color(e.state);
    const double luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
    p.setPen(luminance > 0.6 ? QColor(Qt::black) : QColor(Qt::white));
    p.setFont(bold);
    p.drawText(QRectF(c.x() - w / 2, c.y() - r * 0.55, w, r * 0.55), Qt::AlignCenter,
               QFontMetrics(bold).elidedText(e.identity, Qt::ElideMiddle, static_cast<int>(w)));
    p.setFont(small);
    p.drawText(QRectF(c.x() - w / 2, c.y(), w, r * 0.5), Qt::AlignCenter, stateName(e.state));

    // Below the node: fence and what kind of elector it is.
    QStringList below;
    if (e.fence > 0)
        below << fenceLabel(e.fence);
    if (e.pollingOnly)
        below << QStringLiteral("polling only");
    if (e.kind != ElectorKind::Simulated)
        below << kindName(e.kind);
    p.setPen(palette().color(QPalette::Text));
    const QRectF under(c.x() - 70, c.y() + r + 9, 140, QFontMetrics(small).height() + 2);
    p.drawText(under, Qt::AlignHCenter | Qt::AlignTop, below.join(QStringLiteral(" · ")));
    if (wrong) {
        p.setPen(errorColor(isDarkPalette(palette())));
        p.setFont(bold);
        p.drawText(under.translated(0, under.height()), Qt::AlignHCenter | Qt::AlignTop,
                   QStringLiteral("believes it leads!"));
    }
}

void ClusterView::paintLegend(QPainter& p) const {
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    p.setFont(f);
    const QFontMetrics fm(f);
    double x = 8;
    const double y = 8;
    for (ElectorState s :
         {ElectorState::Leader, ElectorState::Follower, ElectorState::Paused,
          ElectorState::Partitioned, ElectorState::Crashed, ElectorState::Stopped}) {
        p.setPen(Qt::NoPen);
        p.setBrush(color(s));
        p.drawEllipse(QRectF(x, y + 2, 10, 10));
        p.setPen(palette().color(QPalette::Text));
        const QString name = stateName(s);
        p.drawText(QPointF(x + 14, y + fm.ascent()), name);
        x += 14 + fm.horizontalAdvance(name) + 12;
    }
    p.setPen(QPen(errorColor(isDarkPalette(palette())), 2));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(QRectF(x, y + 2, 10, 10));
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QPointF(x + 14, y + fm.ascent()),
               QStringLiteral("believes it leads, store disagrees"));
}

QString ClusterView::tooltipFor(const ElectorView& e) const {
    QStringList lines;
    lines << QStringLiteral("<b>%1</b> (%2%3)")
                 .arg(e.identity.toHtmlEscaped(), kindName(e.kind),
                      e.pollingOnly ? QStringLiteral(", polling-only mode") : QString());
    lines << QStringLiteral("state: %1%2")
                 .arg(stateName(e.state),
                      wronglyBelievesItLeads(e, m_snapshot.lock)
                          ? QStringLiteral(" — <span style='color:#d32f2f'>believes it leads, "
                                           "the store says %1</span>")
                                .arg(m_snapshot.lock.holder < 0
                                         ? QStringLiteral("nobody")
                                         : m_snapshot.lock.holderIdentity.toHtmlEscaped())
                          : QString());
    if (e.fence > 0)
        lines << QStringLiteral("fence: %1").arg(e.fence);
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
        if (id >= 0)
            QToolTip::showText(help->globalPos(), tooltipFor(m_snapshot.electors[id]), this,
                               nodeRect(id).toAlignedRect());
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
