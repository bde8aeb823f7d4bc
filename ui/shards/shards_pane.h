#pragma once
// The Shards view: a sharded family (baton-agent --shards) from the Resources list as a grid of
// shard x member, with who leads how many against the fair share. Follows the Resources view's
// model, so it changes with every scan pass and counts down between them.

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QTimer;

namespace baton::lab {

class ResourceModel;
class ShardGridModel;

class ShardsPane : public QWidget {
    Q_OBJECT
public:
    /// `source`: the Resources view's model (it must outlive the pane).
    explicit ShardsPane(ResourceModel* source, QWidget* parent = nullptr);

    /// Shows `family`; false (and nothing changes) when it is not a family on the list now.
    bool showFamily(const QString& family);
    /// The families on the list now, sorted.
    QStringList families() const { return m_families; }
    /// The family shown ("" when there is none).
    QString family() const;
    ShardGridModel* model() const { return m_grid; }
    QTableView* table() const { return m_table; }
    QString summary() const;
    /// Wide enough for the whole grid (its headers, every member's column, a scroll bar).
    QSize sizeHint() const override;

Q_SIGNALS:
    /// The list holds a family of baton-agent --shards (shards and the family's presence row)
    /// for the first time since the source was reset (a new connection): those families.
    void familiesAppeared(const QStringList& families);
    /// The operator asked for the menu of member `id` (a right-click on its column's header).
    void memberMenuRequested(const QString& id, const QPoint& globalPos);

private:
    void scheduleRefresh();
    void refresh();
    void updateFamilies(const QStringList& families, const QStringList& agents);

    ResourceModel* m_source;
    ShardGridModel* m_grid;
    QComboBox* m_familyBox;
    QLabel* m_summary;
    QTableView* m_table;
    QTimer* m_pending; ///< coalesces the source's changes into one refresh
    QStringList m_families;
    bool m_agentsSeen = false; ///< familiesAppeared() was emitted since the last reset
};

} // namespace baton::lab
