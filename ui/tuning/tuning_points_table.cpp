#include "tuning/tuning_points_table.h"

#include <QHeaderView>

namespace baton::lab {

namespace {

// Sorts by the raw value (a duration's nanoseconds, a count), not by the text.
class ValueItem : public QTableWidgetItem {
public:
    ValueItem(const QString& text, double value)
        : QTableWidgetItem(text) {
        setData(Qt::UserRole, value);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

double secondsOf(Duration d) {
    return std::chrono::duration<double>(d).count();
}

QString durationText(Duration d) {
    return QString::fromStdString(formatDuration(d));
}

QString secondsText(Duration d) {
    const double s = secondsOf(d);
    return s < 1 ? QString::number(s * 1000, 'g', 3) + QStringLiteral(" ms")
                 : QString::number(s, 'g', 4) + QStringLiteral(" s");
}

} // namespace

TuningPointsTable::TuningPointsTable(QWidget* parent)
    : QTableWidget(0, Column::Count, parent) {
    setObjectName(QStringLiteral("pointsTable"));
    setHorizontalHeaderLabels({tr("TTL"), tr("Refresh"), tr("Retry"), tr("WAIT"),
                               tr("Failover p99"), tr("Overlaps"), tr("Fence violations"),
                               tr("Spurious / day"), tr("No leader / day"), tr("Store req/s")});
    horizontalHeaderItem(Column::Wait)
        ->setToolTip(tr("WAIT's replicas: each acquire and extend counted only once the replica "
                        "had it (-: no WAIT)"));
    horizontalHeaderItem(Column::Overlaps)
        ->setToolTip(tr("Two electors leading at once, over all seeds"));
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    verticalHeader()->setVisible(false);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    connect(this, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (const QTableWidgetItem* i = item(row, 0))
            Q_EMIT pointClicked(i->data(kPointRole).value<std::size_t>());
    });
}

void TuningPointsTable::setResult(const TuningResult& r) {
    setSortingEnabled(false); // rows would move while being filled
    clearContents();
    setRowCount(static_cast<int>(r.points.size()));
    const int electors = r.request.profile.electors;
    for (std::size_t i = 0; i < r.points.size(); ++i) {
        const PointResult& p = r.points[i];
        const Timing& t = p.point.timing;
        const auto failover = p.failover.count ? p.failover.p99 : Duration{};
        const QList<QTableWidgetItem*> items{
            new ValueItem(durationText(t.ttl), secondsOf(t.ttl)),
            new ValueItem(durationText(t.refreshInterval), secondsOf(t.refreshInterval)),
            new ValueItem(durationText(t.retryInterval) +
                              (p.point.pollingOnly ? tr(", polling") : QString()),
                          secondsOf(t.retryInterval)),
            new ValueItem(p.point.minReplicas > 0 ? QString::number(p.point.minReplicas)
                                                  : QStringLiteral("-"),
                          p.point.minReplicas),
            new ValueItem(p.failover.count ? secondsText(failover) : tr("no crash"),
                          secondsOf(failover)),
            new ValueItem(QString::number(p.overlaps), static_cast<double>(p.overlaps)),
            new ValueItem(QString::number(p.fenceViolations),
                          static_cast<double>(p.fenceViolations)),
            new ValueItem(QString::number(p.spuriousPerDay, 'g', 3), p.spuriousPerDay),
            new ValueItem(secondsText(p.unavailablePerDay), secondsOf(p.unavailablePerDay)),
            new ValueItem(QString::number(p.storeLoad(electors), 'g', 3), p.storeLoad(electors)),
        };
        for (int c = 0; c < Column::Count; ++c) {
            QTableWidgetItem* item = items[c];
            item->setData(kPointRole, QVariant::fromValue(i));
            if (!p.safe())
                item->setForeground(QColor(200, 0, 0));
            if (r.recommended == i) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            setItem(static_cast<int>(i), c, item);
        }
    }
    setSortingEnabled(true);
}

int TuningPointsTable::rowOf(std::size_t point) const {
    for (int row = 0; row < rowCount(); ++row)
        if (const QTableWidgetItem* i = item(row, 0);
            i && i->data(kPointRole).value<std::size_t>() == point)
            return row;
    return -1;
}

} // namespace baton::lab
