#include "resources/resources_pane.h"

#include "backend/lab_clock.h"

#include <baton/base/text.h>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace baton::lab {

namespace {
// The TTL column counts down this often between passes.
constexpr int kClockMs = 250;
} // namespace

ResourcesPane::ResourcesPane(QWidget* parent)
    : QWidget(parent)
    , m_model(new ResourceModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_patterns(new QLineEdit(this))
    , m_summary(new QLabel(this))
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
    m_table->setColumnWidth(ResourceModel::Name, 150);
    m_table->setColumnWidth(ResourceModel::Holder, 120);
    m_table->setColumnWidth(ResourceModel::Fence, 130);
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
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);

    connect(m_watch, &ResourceWatch::scanned, this, &ResourcesPane::onScanned);
    connect(m_model, &ResourceModel::alertsChanged, this, [this] {
        updateSummary();
        Q_EMIT attentionChanged();
    });
    m_clock->setInterval(kClockMs);
    connect(m_clock, &QTimer::timeout, this, [this] { m_model->advance(steadyNow()); });
    updateSummary();
}

void ResourcesPane::start(const QString& url) {
    m_url = url;
    m_model->clear();
    m_last = {};
    restartScan();
    m_clock->start();
}

void ResourcesPane::stop() {
    m_url.clear();
    m_watch->stop();
    m_clock->stop();
    m_model->clear();
    m_last = {};
    updateSummary();
    Q_EMIT attentionChanged();
}

void ResourcesPane::restartScan() {
    if (m_url.isEmpty())
        return;
    QStringList patterns;
    for (const QString& p : m_patterns->text().split(u','))
        if (!p.trimmed().isEmpty())
            patterns << p.trimmed();
    m_watch->start(m_url, patterns);
}

void ResourcesPane::onScanned(const ScanResult& result) {
    const bool changed = result.error != m_last.error;
    m_last = result;
    if (changed)
        Q_EMIT attentionChanged();
    if (result.pass)
        m_model->applyPass(*result.pass, steadyNow());
    updateSummary();
}

void ResourcesPane::onActivated(const QModelIndex& index) {
    const QModelIndex source = m_proxy->mapToSource(index);
    if (!source.isValid())
        return;
    const QString name = source.data(ResourceModel::NameRole).toString();
    if (source.data(ResourceModel::ForeignRole).toBool()) {
        Q_EMIT notice(tr("%1 is another library's lock: it is shown here, read-only, and "
                         "cannot be opened as a Baton resource")
                          .arg(source.siblingAtColumn(ResourceModel::Name).data().toString()));
        return;
    }
    Q_EMIT openRequested(name);
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
    parts << tr("%n resource(s)", nullptr, m_model->rowCount());
    if (m_last.pass)
        parts << tr("pass %1 ms, %2 SCAN calls")
                     .arg(m_last.elapsedMs, 0, 'f', 1)
                     .arg(m_last.pass->scanCalls);
    const QStringList alerts = m_model->alerts();
    if (!alerts.isEmpty())
        parts << tr("%n need(s) attention", nullptr, int(alerts.size()));
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

} // namespace baton::lab
