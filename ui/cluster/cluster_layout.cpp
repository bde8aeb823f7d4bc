#include "cluster/cluster_layout.h"

#include "style/lab_colors.h"

#include <QFontMetricsF>
#include <QPalette>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

namespace baton::lab {

namespace {

// A line of text that wants a place inside a circle.
struct Line {
    QString role;
    QString text;
    QFont font;
    QColor color;
    bool mayElide = false;
};

// Stacks `lines` centred on `c` inside a circle of radius `radius`: each shrinks to 80% of its
// font, then (if it may) elides, to fit the chord at its farthest edge. Nothing when they do not
// all fit.
std::optional<QVector<PlacedLabel>> fitInCircle(const QVector<Line>& lines, QPointF c,
                                                double radius, int elector) {
    double total = 0;
    for (const Line& l : lines)
        total += QFontMetricsF(l.font).height();
    double y = c.y() - total / 2;
    QVector<PlacedLabel> out;
    for (const Line& l : lines) {
        QFont font = l.font;
        const double smallest = font.pointSizeF() * 0.8;
        for (;;) {
            const QFontMetricsF fm(font);
            const double far = std::max(std::abs(y - c.y()), std::abs(y + fm.height() - c.y()));
            if (far >= radius)
                return std::nullopt;
            const double room = 2 * std::sqrt(radius * radius - far * far) - 2;
            QString text = l.text;
            if (fm.horizontalAdvance(text) > room && font.pointSizeF() - 0.5 >= smallest) {
                font.setPointSizeF(font.pointSizeF() - 0.5);
                continue;
            }
            if (fm.horizontalAdvance(text) > room) {
                if (!l.mayElide)
                    return std::nullopt;
                text = fm.elidedText(text, Qt::ElideRight, room);
                if (text.size() < 3)
                    return std::nullopt;
            }
            const double w = fm.horizontalAdvance(text);
            PlacedLabel p{l.role,
                          elector,
                          text,
                          l.text,
                          font,
                          l.color,
                          QRectF(c.x() - w / 2, y, w, fm.height()),
                          c,
                          radius};
            out.push_back(p);
            y += fm.height();
            break;
        }
    }
    return out;
}

// The first of `choices` that fits, or nothing.
QVector<PlacedLabel> firstFit(const QVector<QVector<Line>>& choices, QPointF c, double radius,
                              int elector) {
    for (const QVector<Line>& lines : choices)
        if (auto placed = fitInCircle(lines, c, radius, elector))
            return *placed;
    return {};
}

QFont scaled(const QFont& f, double factor, bool bold = false) {
    QFont out = f;
    out.setPointSizeF(f.pointSizeF() * factor);
    out.setBold(bold);
    return out;
}

// The legend along the top, wrapped onto as many lines as the width needs; returns its bottom.
double layoutLegend(ClusterLayout& out, double width, const QFont& font, const QColor& text) {
    const QFontMetricsF fm(font);
    double x = 8;
    double y = 6;
    QStringList names;
    for (ElectorState s : {ElectorState::Leader, ElectorState::Follower, ElectorState::Paused,
                           ElectorState::Partitioned, ElectorState::Crashed, ElectorState::Stopped})
        names << stateName(s);
    names << QStringLiteral("believes it leads, store disagrees");
    for (const QString& name : names) {
        const double w = 14 + fm.horizontalAdvance(name);
        if (x > 8 && x + w > width - 8) {
            x = 8;
            y += fm.height() + 2;
        }
        QString shown = name;
        if (x + w > width - 8) // one word wider than the view
            shown = fm.elidedText(name, Qt::ElideRight, std::max(0.0, width - 8 - x - 14));
        const double sw = fm.horizontalAdvance(shown);
        out.labels.push_back({QStringLiteral("legend"),
                              -1,
                              shown,
                              name,
                              font,
                              text,
                              QRectF(x + 14, y, sw, fm.height()),
                              {},
                              0});
        x += 14 + sw + 12;
    }
    return y + fm.height();
}

// The lock's words inside its face, as many as fit: its holder first.
void layoutLock(ClusterLayout& out, const ClusterSnapshot& s, const QFont& font,
                const QPalette& palette, const TermNumbers& terms) {
    const LockView& lock = s.lock;
    QString holder;
    QString fence;
    QString ttl;
    if (!lock.known) {
        holder = QStringLiteral("unknown");
        ttl = s.storeStatus.isEmpty() ? QStringLiteral("not read yet")
                                      : QStringLiteral("not answering");
    } else if (lock.holderIdentity.isEmpty() && lock.holder < 0 && lock.fence == 0) {
        holder = QStringLiteral("free");
    } else {
        holder = lock.holderIdentity.isEmpty() ? QStringLiteral("(unknown holder)")
                                               : lock.holderIdentity;
        fence = terms.label(lock.fence);
        const double left = std::max(0.0, toSeconds(lock.expiresAt - s.now));
        ttl = QStringLiteral("TTL %1 s").arg(left, 0, 'f', 1);
    }
    QColor dim = palette.color(QPalette::Text);
    dim.setAlphaF(0.6);
    const QColor text = palette.color(QPalette::Text);
    const QFont small = scaled(font, 0.85);
    const Line title{QStringLiteral("lock-title"), QStringLiteral("lock"), small, dim};
    const Line name{QStringLiteral("lock-holder"), holder, scaled(font, 1.0, true), text, true};
    const QString both = fence.isEmpty() || ttl.isEmpty()
                             ? fence + ttl
                             : QString(fence + QStringLiteral(" · ") + ttl);
    QVector<QVector<Line>> choices;
    const Line one{QStringLiteral("lock-fence"), both, small, text};
    const Line f{QStringLiteral("lock-fence"), fence, small, text};
    const Line t{QStringLiteral("lock-ttl"), ttl, small, text};
    if (both.isEmpty()) {
        choices = {{title, name}, {name}};
    } else if (fence.isEmpty() || ttl.isEmpty()) {
        choices = {{title, name, one}, {name, one}, {name}};
    } else {
        choices = {{title, name, one}, {title, name, f, t}, {name, f, t},
                   {name, one},        {name, f},           {name}};
    }
    // Inside the TTL arc (5 px wide, 4 px in from the rim).
    out.labels += firstFit(choices, out.centre, out.lock - 7, -1);
}

void layoutNode(ClusterLayout& out, const ClusterSnapshot& s, int i, const QFont& font,
                const QPalette& palette, const TermNumbers& terms, double room, QRectF area) {
    const double width = area.right();
    const ElectorView& e = s.electors[i];
    const QPointF c = out.nodes[i];
    const double r = out.node;
    const qsizetype before = out.labels.size();
    if (r >= 16) {
        // Words on the node in whichever of black and white reads on its fill.
        const QColor fill = stateColor(e.state, isDarkPalette(palette));
        const double luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF();
        const QColor ink = luminance > 0.6 ? QColor(Qt::black) : QColor(Qt::white);
        QFont small = font;
        small.setPointSizeF(std::max(6.5, std::min(small.pointSizeF(), r / 3.2)));
        // A name that does not fit whole goes beside the node, where there is more room.
        const Line name{QStringLiteral("node-name"), e.identity, scaled(small, 1.0, true), ink};
        const Line state{QStringLiteral("node-state"), stateName(e.state), small, ink};
        out.labels += firstFit({{name, state}, {state}}, c, r - 2, e.id);
    }
    // Beside the node, on the side away from the lock (where its link does not run): its fence
    // and kind, and a warning if it wrongly believes it leads.
    QStringList detail;
    const bool named = std::any_of(out.labels.cbegin() + before, out.labels.cend(),
                                   [](const PlacedLabel& l) { return l.role == u"node-name"; });
    if (!named) // too small a node for its name: beside it, then
        detail << e.identity;
    if (e.fence > 0)
        detail << terms.label(e.fence);
    if (e.pollingOnly)
        detail << QStringLiteral("polling-only");
    if (e.kind != ElectorKind::Simulated)
        detail << kindName(e.kind);
    QVector<Line> lines;
    const QFont outer = scaled(font, 0.9);
    if (!detail.isEmpty())
        lines.push_back({QStringLiteral("node-detail"), detail.join(QStringLiteral(" · ")), outer,
                         palette.color(QPalette::Text), true});
    if (wronglyBelievesItLeads(e, s.lock))
        lines.push_back({QStringLiteral("node-warning"), QStringLiteral("believes it leads!"),
                         scaled(font, 0.9, true), errorColor(isDarkPalette(palette)), true});
    const bool above = c.y() < out.centre.y() - out.ring * 0.2;
    double y = above ? c.y() - out.node - 12 : c.y() + out.node + 12; // clear of the selection ring
    // Where above or below leaves the view (a short one), the words go beside the node, on the
    // side away from the centre.
    double linesHeight = 0;
    for (const Line& l : lines)
        linesHeight += QFontMetricsF(l.font).height();
    const bool beside = above ? y - linesHeight < area.top() : y + linesHeight > area.bottom();
    const bool right = c.x() >= out.centre.x();
    if (beside) {
        y = c.y() - linesHeight / 2;
        if (y < area.top() || y + linesHeight > area.bottom())
            return; // no room at all: the tooltip has them
        const double edge = right ? area.right() - 2 - (c.x() + out.nodeOuter() + 4)
                                  : c.x() - out.nodeOuter() - 4 - (area.left() + 2);
        room = std::min(room, edge);
    }
    for (const Line& l : lines) {
        const QFontMetricsF fm(l.font);
        const QString text = fm.elidedText(l.text, Qt::ElideRight, room);
        if (text.isEmpty() || (text != l.text && text.size() < 3))
            break; // no room for words: the tooltip has them
        const double w = fm.horizontalAdvance(text);
        const double top = above && !beside ? y - fm.height() : y;
        const double left =
            beside ? (right ? c.x() + out.nodeOuter() + 4 : c.x() - out.nodeOuter() - 4 - w)
                   : std::clamp(c.x() - w / 2, 2.0, std::max(2.0, width - 2 - w));
        out.labels.push_back({l.role,
                              e.id,
                              text,
                              l.text,
                              l.font,
                              l.color,
                              QRectF(left, top, w, fm.height()),
                              {},
                              0});
        y = above && !beside ? top : top + fm.height();
    }
}

} // namespace

bool wronglyBelievesItLeads(const ElectorView& e, const LockView& lock) {
    return e.believesLeader && lock.known && lock.holder != e.id;
}

void TermNumbers::see(quint64 fence) {
    if (fence <= 999'999)
        return;
    const auto it = std::lower_bound(m_seen.begin(), m_seen.end(), fence);
    if (it != m_seen.end() && *it == fence)
        return;
    m_seen.insert(it, fence);
    if (m_seen.size() > kMost)
        m_seen.erase(m_seen.begin());
}

QString TermNumbers::label(quint64 fence) const {
    if (fence <= 999'999)
        return QStringLiteral("#%1").arg(fence);
    const auto it = std::lower_bound(m_seen.begin(), m_seen.end(), fence);
    if (it == m_seen.end() || *it != fence)
        return fenceLabel(fence);
    return QStringLiteral("term %1").arg(std::distance(m_seen.begin(), it) + 1);
}

ClusterLayout layoutCluster(const ClusterSnapshot& s, QSizeF size, const QFont& font,
                            const QPalette& palette, const TermNumbers& terms) {
    ClusterLayout out;
    const QFont legendFont = scaled(font, 0.85);
    const double legendBottom =
        layoutLegend(out, size.width(), legendFont, palette.color(QPalette::Text));
    // Room above the top node and below the bottom one for two lines of words; the nodes sit
    // on an ellipse as wide as the view allows (at most 1.6 times its height).
    const double words = 2 * QFontMetricsF(scaled(font, 0.9, true)).height() + 4;
    const QRectF area = QRectF(QPointF(0, 0), size).adjusted(8, legendBottom + 4, -8, -4);
    out.centre = area.center();
    const double halfH = std::max(0.0, area.height() / 2);
    const double halfW = std::max(0.0, area.width() / 2);
    const int n = std::max<qsizetype>(1, s.electors.size());
    out.node = std::clamp(std::min(halfH, halfW) * 0.17, 7.0, 46.0);
    // How far a node may reach from the centre: in a short view the words go beside the nodes
    // rather than the ring onto the lock, and the nodes shrink until lock and ring both fit.
    double reach = halfH - 12 - words;
    if (reach < 4 * out.node + 24)
        reach = std::max(halfH - 4, reach);
    out.node = std::min(out.node, std::max(4.0, reach / 4.5));
    const double ry = std::max(reach - out.node, out.node);
    const double rx = std::clamp(halfW - out.node - 40, ry, ry * 1.6);
    out.ring = ry;
    for (int i = 0; i < s.electors.size(); ++i) {
        const double a = -std::numbers::pi / 2 + 2 * std::numbers::pi * i / n;
        out.nodes.push_back(out.centre + QPointF(std::cos(a) * rx, std::sin(a) * ry));
    }
    // Neighbours must not overlap: the closest two bound the radius.
    double chord = 4 * rx;
    for (int i = 0; n > 1 && i < out.nodes.size(); ++i)
        chord = std::min(chord, QLineF(out.nodes[i], out.nodes[(i + 1) % n]).length());
    if (n > 1)
        out.node = std::max(std::min(out.node, chord / 2 * 0.8), 4.0);
    out.lock = std::clamp((ry - out.nodeOuter()) * 0.7, std::min(18.0, ry * 0.3), 70.0);
    for (int i = 0; i < s.electors.size(); ++i) {
        const ElectorView& e = s.electors[i];
        if (s.lock.holder != e.id && !wronglyBelievesItLeads(e, s.lock))
            continue;
        const QLineF full(out.centre, out.nodes[i]);
        const double len = full.length();
        if (len <= out.lock + out.nodeOuter())
            continue;
        const QPointF unit = (full.p2() - full.p1()) / len;
        out.links.push_back(
            {e.id, QLineF(out.centre + unit * out.lock, out.nodes[i] - unit * out.nodeOuter())});
    }
    layoutLock(out, s, font, palette, terms);
    // Words beside a node are no wider than the gap to its neighbours (and the view).
    const double room = std::min({chord - 8, 220.0, size.width() - 4});
    for (int i = 0; i < s.electors.size(); ++i)
        layoutNode(out, s, i, font, palette, terms, room,
                   QRectF(0, legendBottom, size.width(), size.height() - legendBottom));
    return out;
}

} // namespace baton::lab
