#pragma once
// The Resources view: every resource on the connected Redis in a sortable table, filtered by
// name, with what needs attention in red; double-click or Enter opens one. The scan runs on a
// thread of its own (ResourceWatch); the table counts down TTLs between passes.

#include "resources/resource_model.h"
#include "resources/resource_scanner.h"

#include <QWidget>

class QLabel;
class QSystemTrayIcon;
class QToolButton;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace baton::lab {

class ResourcesPane : public QWidget {
    Q_OBJECT
public:
    explicit ResourcesPane(QWidget* parent = nullptr);

    /// Lists the resources of `url` (its password is used, never shown) from now on.
    void start(const QString& url);
    /// Stops listing (simulated mode) and empties the list.
    void stop();
    /// The foreign-lock key patterns (baton --lock-pattern, the connect dialog's field): the
    /// next pass reads them.
    void setLockPatterns(const QStringList& patterns);
    QStringList lockPatterns() const;

    ResourceModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }
    ResourceWatch* watch() const { return m_watch; }
    /// The line under the table: how many, how long the pass took, what needs attention.
    QString summary() const;
    /// Wide enough for every column (the state's included).
    QSize sizeHint() const override;
    /// Why the list cannot be read now ("" while it can): for the status bar.
    QString problem() const { return m_last.error; }

    /// Flapping: more than `failovers` holder changes in `minutes` (saved in QSettings,
    /// resources/flapFailovers and resources/flapMinutes; default 3 in 5).
    void setFlapLimits(int failovers, int minutes);
    /// A desktop notification when a resource turns red (QSystemTrayIcon::showMessage, where
    /// the desktop has a tray); saved as resources/notify, off by default.
    void setNotify(bool on);
    bool notifies() const { return m_notify; }
    /// Whether a Redis is being listed (between start() and stop()).
    bool listing() const { return !m_url.isEmpty(); }
    /// Asks for the flapping limits and the notification (the pane's "Alerts..." button).
    void askAlertSettings();

Q_SIGNALS:
    /// The operator asked to open a Baton resource (double-click or Enter).
    void openRequested(const QString& resource);
    /// The operator asked to open another library's lock (its key), to watch it read-only.
    void openLockRequested(const QString& key);
    /// Something to tell in the status bar (why a row cannot be opened).
    void notice(const QString& text);
    /// problem() changed, or alerts did: the status bar shows them.
    void attentionChanged();
    /// A desktop notification was asked for (tests see it even where there is no tray).
    void notified(const QString& title, const QString& text);

private:
    void onScanned(const ScanResult& result);
    void onActivated(const QModelIndex& index);
    void restartScan();
    void updateSummary();
    void notifyRed(const QString& name, const QString& why);

    ResourceModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QLineEdit* m_filter;
    QLineEdit* m_patterns;
    QLabel* m_summary;
    QToolButton* m_alertSettings;
    QSystemTrayIcon* m_tray = nullptr; ///< made on the first notification
    bool m_notify = false;
    QTimer* m_clock;
    ResourceWatch* m_watch;
    QString m_url;
    bool m_cluster = false; ///< a redis-cluster:// URL: not listed (no SCAN across nodes)
    ScanResult m_last;
};

} // namespace baton::lab
