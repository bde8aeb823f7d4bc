#pragma once
// The lab's centre: every elector as a node on a ring (state in colour and words, fence, an arc
// running down its lease or its wait for the next try) around the lock as the store holds it
// (true holder, fence, an arc of its remaining TTL). An elector that believes it leads while the
// store says otherwise is outlined in red and labelled. Paints from a snapshot only.

#include "backend/lab_types.h"
#include "cluster/cluster_layout.h"

#include <QWidget>

namespace baton::lab {

class ClusterView : public QWidget {
    Q_OBJECT
public:
    explicit ClusterView(QWidget* parent = nullptr);

    void setSnapshot(const ClusterSnapshot& snapshot);
    const ClusterSnapshot& snapshot() const { return m_snapshot; }

    /// The selected elector's id, or -1.
    int selected() const { return m_selected; }
    void setSelected(int id);
    /// The elector drawn at `pos` (widget coordinates), or -1.
    int electorAt(QPointF pos) const;
    /// Where elector `id` is drawn (its node's circle), for tests and pop-ups.
    QRectF nodeRect(int id) const;
    /// True when `e` believes it leads but the store's holder is someone else (or nobody).
    static bool wronglyBelievesItLeads(const ElectorView& e, const LockView& lock) {
        return lab::wronglyBelievesItLeads(e, lock);
    }
    /// What the view draws at its current size: nodes, links and every word with its measured
    /// box (tests assert that none overlap and each fits its place).
    ClusterLayout layout() const;
    /// The tooltip elector `id` shows (empty when there is no such elector).
    QString tooltipText(int id) const {
        return id >= 0 && id < m_snapshot.electors.size() ? tooltipFor(m_snapshot.electors[id])
                                                          : QString();
    }
    /// The tooltip the lock shows (its holder, fence and TTL in full).
    QString lockTooltip() const;
    /// The fence as the view labels it ("#12", or "term 3" for Redis' large fences).
    QString fenceText(quint64 fence) const { return m_terms.label(fence); }

    QSize sizeHint() const override { return {640, 520}; }
    QSize minimumSizeHint() const override { return {260, 220}; }

Q_SIGNALS:
    void selectionChanged(int id);
    /// The operator asked for a context menu on elector `id` (-1: on the background).
    void contextMenuRequestedFor(int id, const QPoint& globalPos);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void paintLock(QPainter& p, const ClusterLayout& l) const;
    void paintNode(QPainter& p, const ClusterLayout& l, const ElectorView& e, QPointF c) const;
    void paintLegend(QPainter& p, const ClusterLayout& l) const;
    QString tooltipFor(const ElectorView& e) const;
    QColor color(ElectorState state) const;

    ClusterSnapshot m_snapshot;
    TermNumbers m_terms;
    int m_selected = -1;
};

} // namespace baton::lab
