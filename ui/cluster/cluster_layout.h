#pragma once
// Where the cluster view puts each node, link and word, measured with QFontMetricsF before it
// paints, so words fit their place (or elide, with the full text in a tooltip) and never
// overlap; the view paints this layout and tests assert on it.

#include "backend/lab_types.h"

#include <QColor>
#include <QFont>
#include <QLineF>
#include <QRectF>
#include <QVector>

#include <vector>

namespace baton::lab {

/// One piece of text the view draws.
struct PlacedLabel {
    QString role; ///< "legend", "lock-title", "lock-holder", "lock-fence", "node-name",
                  ///< "node-state", "node-detail", "node-warning"
    int elector = -1;
    QString text; ///< as drawn: elided when it did not fit
    QString full; ///< all of it (the tooltip of the node or lock under it says it too)
    QFont font;
    QColor color;
    QRectF rect; ///< the text's box as QFontMetricsF measures it
    /// When positive, the circle the text must stay inside (a node's or the lock's face).
    QPointF circleCentre;
    double circleRadius = 0;
    bool elided() const { return text != full; }
};

struct ClusterLayout {
    QPointF centre;
    double ring = 0; ///< radius of the ring the nodes sit on
    double node = 0; ///< a node's radius (its lease ring is drawn 5 px outside)
    double lock = 0; ///< the lock's radius
    QVector<QPointF> nodes;
    /// The store's holder's link and each wrong believer's, from the lock's rim to the node's
    /// lease ring, with the elector's id.
    QVector<QPair<int, QLineF>> links;
    QVector<PlacedLabel> labels;
    /// The lease ring's outer radius around a node: what words outside a node keep clear of.
    double nodeOuter() const { return node + 7; }
};

/// Short names for fences: a fence up to 999999 is "#N"; Redis' time-based fences (13 digits
/// and more) are numbered "term N" in the order the lab saw them on this resource.
class TermNumbers {
public:
    void see(quint64 fence);
    QString label(quint64 fence) const;
    void clear() { m_seen.clear(); }

private:
    std::vector<quint64> m_seen; ///< sorted, at most kMost (the oldest go first)
    static constexpr std::size_t kMost = 4096;
};

/// The layout of `s` in a widget of `size` whose font is `font`; `palette` gives the colours.
ClusterLayout layoutCluster(const ClusterSnapshot& s, QSizeF size, const QFont& font,
                            const QPalette& palette, const TermNumbers& terms);

/// True when `e` believes it leads but the store's holder is someone else (or nobody).
bool wronglyBelievesItLeads(const ElectorView& e, const LockView& lock);

} // namespace baton::lab
