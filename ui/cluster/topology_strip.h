#pragma once
// A strip above the cluster view for the lab's private Sentinel setup: which node is primary,
// each node's state, role and replication offset; its context menu holds the Redis-side faults.

#include <QWidget>

class QHBoxLayout;
class QLabel;

namespace baton::lab {

class LocalRedisHa;

class TopologyStrip : public QWidget {
    Q_OBJECT
public:
    explicit TopologyStrip(QWidget* parent = nullptr);
    /// Shows `ha` from now on (nullptr: hides the strip); it is polled by `ha`, off this thread.
    void setSource(LocalRedisHa* ha);
    /// One line per node as shown ("node A: primary, up, offset 1234"), for tests and tooltips.
    QStringList lines() const;

private:
    void refresh();

    LocalRedisHa* m_ha = nullptr;
    QHBoxLayout* m_layout = nullptr;
    QLabel* m_title = nullptr;
    QList<QLabel*> m_cells;
};

} // namespace baton::lab
