#include "cluster/topology_strip.h"

#include "backend/local_redis_ha.h"

#include <QHBoxLayout>
#include <QLabel>

namespace baton::lab {

namespace {

QString stateText(const HaNode& n) {
    switch (n.state) {
    case HaNode::State::Starting:
        return TopologyStrip::tr("starting");
    case HaNode::State::Up:
        return TopologyStrip::tr("up");
    case HaNode::State::Down:
        return TopologyStrip::tr("down");
    case HaNode::State::Paused:
        return TopologyStrip::tr("paused");
    case HaNode::State::Silent:
        return TopologyStrip::tr("not answering");
    }
    return {};
}

QString roleText(const HaNode& n) {
    if (n.sentinel)
        return TopologyStrip::tr("sentinel");
    if (n.primary)
        return TopologyStrip::tr("primary");
    if (n.role == u"master")
        return TopologyStrip::tr("says master"); // not (yet) the sentinels' choice: a split
    return n.role == u"slave" ? TopologyStrip::tr("replica") : TopologyStrip::tr("unknown");
}

// Green for the primary, grey for a replica or sentinel, red for a node that is down.
QString cellStyle(const HaNode& n) {
    QString colour = QStringLiteral("palette(mid)");
    if (n.state == HaNode::State::Down)
        colour = QStringLiteral("#c0392b");
    else if (n.state == HaNode::State::Paused || n.state == HaNode::State::Silent)
        colour = QStringLiteral("#d68910");
    else if (n.primary)
        colour = QStringLiteral("#1e8449");
    return QStringLiteral("QLabel { border: 2px solid %1; border-radius: 4px; padding: 2px 6px; }")
        .arg(colour);
}

} // namespace

TopologyStrip::TopologyStrip(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("topologyStrip"));
    m_layout = new QHBoxLayout(this);
    m_layout->setContentsMargins(6, 4, 6, 4);
    m_title = new QLabel(tr("Sentinel setup:"), this);
    m_layout->addWidget(m_title);
    m_layout->addStretch(1);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    hide();
}

void TopologyStrip::setSource(LocalRedisHa* ha) {
    if (m_ha)
        m_ha->disconnect(this);
    m_ha = ha;
    setVisible(ha != nullptr);
    if (ha)
        connect(ha, &LocalRedisHa::topologyChanged, this, &TopologyStrip::refresh);
    refresh();
}

QStringList TopologyStrip::lines() const {
    QStringList out;
    if (!m_ha)
        return out;
    for (const HaNode& n : m_ha->topology()) {
        QString l = QStringLiteral("%1: %2, %3").arg(n.name, roleText(n), stateText(n));
        if (!n.sentinel && n.offset >= 0)
            l += tr(", offset %1").arg(n.offset);
        if (!n.sentinel && n.role == u"slave" && !n.linkUp && n.state == HaNode::State::Up)
            l += tr(", link down");
        out << l;
    }
    return out;
}

void TopologyStrip::refresh() {
    const QVector<HaNode> nodes = m_ha ? m_ha->topology() : QVector<HaNode>();
    while (m_cells.size() < nodes.size()) {
        auto* cell = new QLabel(this);
        cell->setTextFormat(Qt::PlainText);
        m_layout->insertWidget(int(m_cells.size()) + 1, cell);
        m_cells << cell;
    }
    const QStringList text = lines();
    for (int i = 0; i < m_cells.size(); ++i) {
        QLabel* cell = m_cells[i];
        cell->setVisible(i < nodes.size());
        if (i >= nodes.size())
            continue;
        cell->setText(text[i]);
        cell->setToolTip(tr("127.0.0.1:%1").arg(nodes[i].port));
        cell->setStyleSheet(cellStyle(nodes[i]));
    }
}

} // namespace baton::lab
