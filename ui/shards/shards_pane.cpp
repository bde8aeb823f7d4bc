#include "shards/shards_pane.h"

#include "resources/resource_model.h"
#include "shards/shard_family.h"
#include "shards/shard_grid_model.h"
#include "style/lab_colors.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace baton::lab {

ShardsPane::ShardsPane(ResourceModel* source, QWidget* parent)
    : QWidget(parent)
    , m_source(source)
    , m_grid(new ShardGridModel(this))
    , m_familyBox(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_table(new QTableView(this))
    , m_pending(new QTimer(this)) {
    setObjectName(QStringLiteral("shardsPane"));
    m_familyBox->setObjectName(QStringLiteral("shardFamily"));
    m_familyBox->setToolTip(tr("The sharded family shown: NAME of NAME-0 ... NAME-(N-1)"));
    m_familyBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_familyBox, &QComboBox::currentTextChanged, this, [this](const QString& family) {
        m_grid->setFamily(family);
        refresh();
    });
    m_summary->setObjectName(QStringLiteral("shardSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText); // names come from the server

    m_table->setObjectName(QStringLiteral("shardGrid"));
    m_table->setModel(m_grid);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    // Every member's column as wide as its two-line header ("agent-a" / "3 / share 2").
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table->horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            [this](const QPoint& at) {
                const int column = m_table->horizontalHeader()->logicalIndexAt(at);
                if (column >= 0 && column < m_grid->memberCount())
                    Q_EMIT memberMenuRequested(QString::fromStdString(m_grid->member(column).id),
                                               m_table->horizontalHeader()->mapToGlobal(at));
            });
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Family:"), this));
    top->addWidget(m_familyBox);
    top->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);

    m_pending->setSingleShot(true);
    m_pending->setInterval(0);
    connect(m_pending, &QTimer::timeout, this, &ShardsPane::refresh);
    connect(m_source, &QAbstractItemModel::dataChanged, this, &ShardsPane::scheduleRefresh);
    connect(m_source, &QAbstractItemModel::rowsInserted, this, &ShardsPane::scheduleRefresh);
    connect(m_source, &QAbstractItemModel::rowsRemoved, this, &ShardsPane::scheduleRefresh);
    connect(m_source, &ResourceModel::ticked, this, &ShardsPane::scheduleRefresh);
    // A new connection: what was known of the old server's shards is no more.
    connect(m_source, &QAbstractItemModel::modelReset, this, [this] {
        m_grid->clear();
        m_agentsSeen = false;
        scheduleRefresh();
    });
    refresh();
}

bool ShardsPane::showFamily(const QString& family) {
    refresh(); // the list as of now, even before the coalesced refresh runs
    const int i = m_familyBox->findText(family);
    if (i < 0)
        return false;
    m_familyBox->setCurrentIndex(i);
    return true;
}

QString ShardsPane::family() const {
    return m_familyBox->currentText();
}

QString ShardsPane::summary() const {
    return m_summary->text();
}

QSize ShardsPane::sizeHint() const {
    int width = m_table->verticalHeader()->sizeHint().width() + 2 * m_table->frameWidth() +
                m_table->style()->pixelMetric(QStyle::PM_ScrollBarExtent) +
                layout()->contentsMargins().left() + layout()->contentsMargins().right();
    for (int c = 0; c < m_grid->columnCount(); ++c)
        width += m_table->horizontalHeader()->sectionSizeHint(c);
    return {std::max(width, QWidget::sizeHint().width()), QWidget::sizeHint().height()};
}

void ShardsPane::scheduleRefresh() {
    if (!m_pending->isActive())
        m_pending->start();
}

void ShardsPane::refresh() {
    m_pending->stop();
    std::vector<std::string> names;
    names.reserve(std::size_t(m_source->rowCount()));
    for (int i = 0; i < m_source->rowCount(); ++i)
        if (const ResourceModel::Row* r = m_source->row(i); !r->info.foreign)
            names.push_back(r->info.name);
    QStringList families, agents;
    for (const std::string& f : shardFamilies(names)) {
        families << QString::fromStdString(f);
        if (std::binary_search(names.begin(), names.end(), f)) // the list is in name order
            agents << families.back();
    }
    updateFamilies(families, agents);
    m_grid->refresh(*m_source, m_source->now());
    const QString text = m_grid->summary();
    if (m_summary->text() != text)
        m_summary->setText(text);
    // A style sheet repolishes the label: set it only when it changes.
    const QString css = m_grid->unled() > 0
                            ? QStringLiteral("color: %1").arg(errorColor(darkPaletteInUse()).name())
                            : QString();
    if (m_summary->styleSheet() != css)
        m_summary->setStyleSheet(css);
}

// The chooser follows the list; the family shown stays while it is on it (it may come back
// after a while: a family whose members all died has no key left until one starts again).
void ShardsPane::updateFamilies(const QStringList& families, const QStringList& agents) {
    // Only a family of baton-agent --shards (its presence row listed) calls for the view: a
    // "build-1" and "build-2" may well be two resources of their own.
    if (!m_agentsSeen && !agents.isEmpty()) {
        m_agentsSeen = true;
        Q_EMIT familiesAppeared(agents);
    }
    if (families == m_families)
        return;
    const QString current = m_familyBox->currentText();
    m_families = families;
    {
        QSignalBlocker block(m_familyBox);
        m_familyBox->clear();
        m_familyBox->addItems(families);
        if (!current.isEmpty() && !families.contains(current))
            m_familyBox->addItem(current); // kept, its rows red, until another is chosen
        m_familyBox->setCurrentIndex(std::max(0, m_familyBox->findText(current)));
    }
    if (m_grid->family() != m_familyBox->currentText())
        m_grid->setFamily(m_familyBox->currentText());
}

} // namespace baton::lab
