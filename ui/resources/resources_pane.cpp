#include "resources/resources_pane.h"

#include "backend/lab_clock.h"
#include "resources/resource_sort_proxy.h"

#include <baton/base/text.h>
#include <baton/redis/redis_url.h>

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace baton::lab {

namespace {
// The TTL column counts down this often between passes.
constexpr int kClockMs = 250;

// A bad URL is not one: the scan says what is wrong with it.
bool isClusterUrl(const QString& url) {
    try {
        return RedisUrl::parse(url.toStdString()).cluster;
    } catch (const UrlError&) {
        return false;
    }
}
} // namespace

ResourcesPane::ResourcesPane(QWidget* parent)
    : QWidget(parent)
    , m_model(new ResourceModel(this))
    , m_proxy(new ResourceSortProxy(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_patterns(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_alertSettings(new QToolButton(this))
    , m_clock(new QTimer(this))
    , m_watch(new ResourceWatch(this)) {
    setObjectName(QStringLiteral("resourcesPane"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ResourceModel::RawRole);
    m_proxy->setFilterKeyColumn(ResourceModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setObjectName(QStringLiteral("resourceFilter"));
    m_filter->setPlaceholderText(tr("Filter by name"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_patterns->setObjectName(QStringLiteral("foreignPatterns"));
    m_patterns->setPlaceholderText(tr("Watch keys as locks: leader:*, *:lock"));
    m_patterns->setToolTip(tr("Key patterns (SCAN MATCH syntax, comma-separated) of other "
                              "libraries' locks, listed read-only: holder = the value or hash "
                              "field, TTL = PTTL"));
    connect(m_patterns, &QLineEdit::editingFinished, this, &ResourcesPane::restartScan);

    m_table->setObjectName(QStringLiteral("resourceTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ResourceModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Room for the usual: a name, an identity, "#…123456", "4.2 s", "3 (+1 stale)", "12 min 05 s".
    const int em = m_table->fontMetrics().horizontalAdvance(u'M');
    const std::pair<int, int> widths[] = {{ResourceModel::Name, 11},    {ResourceModel::Holder, 8},
                                          {ResourceModel::Fence, 7},    {ResourceModel::Ttl, 5},
                                          {ResourceModel::Members, 6},  {ResourceModel::TermAge, 7},
                                          {ResourceModel::Failovers, 6}};
    for (const auto& [column, ems] : widths)
        m_table->setColumnWidth(column, ems * em);
    connect(m_table, &QTableView::activated, this, &ResourcesPane::onActivated);
    connect(m_model, &ResourceModel::ticked, m_table->viewport(), qOverload<>(&QWidget::update));

    m_summary->setObjectName(QStringLiteral("resourceSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText); // names and errors come from the server
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_patterns, 1);
    m_alertSettings->setObjectName(QStringLiteral("alertSettings"));
    m_alertSettings->setText(tr("Alerts..."));
    m_alertSettings->setToolTip(tr("When a resource is flapping (more than N failovers in M "
                                   "minutes), and a desktop notification when one turns red"));
    connect(m_alertSettings, &QToolButton::clicked, this, &ResourcesPane::askAlertSettings);
    filters->addWidget(m_alertSettings);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);

    connect(m_watch, &ResourceWatch::scanned, this, &ResourcesPane::onScanned);
    connect(m_model, &ResourceModel::alertsChanged, this, [this] {
        updateSummary();
        Q_EMIT attentionChanged();
    });
    connect(m_model, &ResourceModel::turnedRed, this, &ResourcesPane::notifyRed);
    const QSettings settings;
    m_model->setFlapping(
        settings.value(QStringLiteral("resources/flapFailovers"), 3).toInt(),
        std::chrono::minutes(settings.value(QStringLiteral("resources/flapMinutes"), 5).toInt()));
    m_notify = settings.value(QStringLiteral("resources/notify"), false).toBool();
    m_clock->setInterval(kClockMs);
    connect(m_clock, &QTimer::timeout, this, [this] { m_model->advance(steadyNow()); });
    updateSummary();
}

void ResourcesPane::start(const QString& url) {
    m_url = url;
    m_model->clear();
    m_last = {};
    m_cluster = isClusterUrl(url);
    if (m_cluster) { // no SCAN across the nodes: say so once, with the lab's way out
        m_watch->stop();
        m_last.error = tr("listing resources is not supported on Redis Cluster yet: open one by "
                          "name (Redis > Connect to Redis..., its Resource field, or baton "
                          "--redis URL --resource NAME), or list one primary's with "
                          "redis://host:port");
        Q_EMIT attentionChanged();
        updateSummary();
        return;
    }
    restartScan();
    m_clock->start();
}

void ResourcesPane::stop() {
    m_url.clear();
    m_cluster = false;
    m_watch->stop();
    m_clock->stop();
    m_model->clear();
    m_last = {};
    updateSummary();
    Q_EMIT attentionChanged();
}

void ResourcesPane::setLockPatterns(const QStringList& patterns) {
    if (patterns == lockPatterns())
        return;
    m_patterns->setText(patterns.join(QStringLiteral(", ")));
    restartScan();
}

QStringList ResourcesPane::lockPatterns() const {
    QStringList patterns;
    for (const QString& p : m_patterns->text().split(u','))
        if (!p.trimmed().isEmpty())
            patterns << p.trimmed();
    return patterns;
}

void ResourcesPane::restartScan() {
    if (m_url.isEmpty() || m_cluster)
        return;
    m_watch->start(m_url, lockPatterns());
}

void ResourcesPane::onScanned(const ScanResult& result) {
    const bool changed = result.error != m_last.error;
    m_last = result;
    if (changed)
        Q_EMIT attentionChanged();
    if (result.pass) {
        const bool first = m_model->rowCount() == 0;
        m_model->applyPass(*result.pass, steadyNow());
        // The first rows set the widths (Qt looks at no more than 1,000 of them); then the
        // operator's widths stay.
        if (first && m_model->rowCount() > 0)
            for (int c = 0; c < ResourceModel::State; ++c) {
                const int before = m_table->columnWidth(c);
                m_table->resizeColumnToContents(c);
                m_table->setColumnWidth(c, std::max(before, m_table->columnWidth(c)));
            }
    }
    updateSummary();
}

void ResourcesPane::onActivated(const QModelIndex& index) {
    const QModelIndex source = m_proxy->mapToSource(index);
    if (!source.isValid())
        return;
    const QString name = source.data(ResourceModel::NameRole).toString();
    if (source.data(ResourceModel::ForeignRole).toBool())
        Q_EMIT openLockRequested(name);
    else
        Q_EMIT openRequested(name);
}

QSize ResourcesPane::sizeHint() const {
    int width = 12 * m_table->fontMetrics().horizontalAdvance(u'M'); // the state
    for (int c = 0; c < ResourceModel::State; ++c)
        width += m_table->columnWidth(c);
    width += 2 * m_table->frameWidth() + m_table->style()->pixelMetric(QStyle::PM_ScrollBarExtent) +
             layout()->contentsMargins().left() + layout()->contentsMargins().right();
    return {width, QWidget::sizeHint().height()};
}

QString ResourcesPane::summary() const {
    return m_summary->text();
}

void ResourcesPane::updateSummary() {
    QStringList parts;
    if (m_url.isEmpty()) {
        m_summary->setText(tr("Connect to a Redis to list its resources"));
        return;
    }
    if (!m_last.pass && m_last.error.isEmpty()) {
        m_summary->setText(tr("Scanning..."));
        return;
    }
    if (m_cluster) { // nothing was listed: no count, only why and what to do
        m_summary->setText(m_last.error);
        m_summary->setStyleSheet(QStringLiteral("color: #d32f2f"));
        return;
    }
    const int rows = m_model->rowCount();
    parts << (rows == 1 ? tr("1 resource") : tr("%1 resources").arg(rows));
    if (m_last.pass)
        parts << tr("pass %1 ms, %2 SCAN calls")
                     .arg(m_last.elapsedMs, 0, 'f', 1)
                     .arg(m_last.pass->scanCalls);
    const QStringList alerts = m_model->alerts();
    if (alerts.size() == 1)
        parts << tr("1 needs attention");
    else if (!alerts.isEmpty())
        parts << tr("%1 need attention").arg(alerts.size());
    QString text = parts.join(QStringLiteral(" · "));
    if (!m_last.error.isEmpty())
        text += QStringLiteral("\n") + tr("scan failed: %1").arg(m_last.error);
    else if (m_last.pass)
        for (const std::string& e : m_last.pass->errors)
            text += QStringLiteral("\n") + qstr(visible(e));
    m_summary->setText(text);
    const QString css =
        alerts.isEmpty() && m_last.error.isEmpty() ? QString() : QStringLiteral("color: #d32f2f");
    if (m_summary->styleSheet() != css)
        m_summary->setStyleSheet(css);
}

void ResourcesPane::setFlapLimits(int failovers, int minutes) {
    failovers = std::clamp(failovers, 1, 1000);
    minutes = std::clamp(minutes, 1, 24 * 60);
    m_model->setFlapping(failovers, std::chrono::minutes(minutes));
    QSettings settings;
    settings.setValue(QStringLiteral("resources/flapFailovers"), failovers);
    settings.setValue(QStringLiteral("resources/flapMinutes"), minutes);
}

void ResourcesPane::setNotify(bool on) {
    m_notify = on;
    QSettings().setValue(QStringLiteral("resources/notify"), on);
}

void ResourcesPane::askAlertSettings() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Resource alerts"));
    auto* failovers = new QSpinBox(&dialog);
    failovers->setObjectName(QStringLiteral("flapFailovers"));
    failovers->setRange(1, 1000);
    failovers->setValue(m_model->flapFailovers());
    failovers->setPrefix(tr("more than "));
    failovers->setSuffix(tr(" failovers"));
    auto* minutes = new QSpinBox(&dialog);
    minutes->setObjectName(QStringLiteral("flapMinutes"));
    minutes->setRange(1, 24 * 60);
    minutes->setValue(int(std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::minutes>(m_model->flapWindow()).count())));
    minutes->setPrefix(tr("in "));
    minutes->setSuffix(tr(" min"));
    auto* notify = new QCheckBox(tr("Desktop notification when a resource turns red"), &dialog);
    notify->setObjectName(QStringLiteral("notify"));
    notify->setChecked(m_notify);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        notify->setToolTip(tr("This desktop has no system tray: the status bar says it instead"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("Flapping:"), failovers);
    form->addRow(QString(), minutes);
    form->addRow(notify);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setFlapLimits(failovers->value(), minutes->value());
    setNotify(notify->isChecked());
}

void ResourcesPane::notifyRed(const QString& name, const QString& why) {
    if (!m_notify)
        return;
    const QString title = tr("Baton: %1 needs attention").arg(name);
    Q_EMIT notified(title, why);
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->show();
    }
    m_tray->showMessage(title, why, QSystemTrayIcon::Warning, 10000);
}

} // namespace baton::lab
