#include "agents.h"

#include <QRandomGenerator>
#include <QTimer>

namespace baton::bench {

namespace {

QString eventName(const QJsonObject& e) {
    return e.value(QStringLiteral("event")).toString();
}

// The fence this member leads with now (by its events), or 0.
qint64 leadingFence(const test::AgentProcess& a) {
    qint64 fence = 0;
    for (const QJsonObject& e : a.events()) {
        const QString name = eventName(e);
        if (name == QStringLiteral("elected"))
            fence = e.value(QStringLiteral("fence")).toInteger();
        else if (name == QStringLiteral("revoked") || name == QStringLiteral("stopped"))
            fence = 0;
    }
    return fence;
}

} // namespace

AgentCluster::AgentCluster(const std::string& url, QString resource, QStringList args, int size,
                           int spreadMs)
    : m_resource(std::move(resource))
    , m_args(QStringList{QStringLiteral("--resource"), m_resource, QStringLiteral("--redis"),
                         QString::fromStdString(url)} +
             args) {
    for (int i = 0; i < size; ++i)
        m_members.push_back(
            launch(i, spreadMs > 0 ? int(QRandomGenerator::global()->bounded(spreadMs)) : 0));
}

std::unique_ptr<test::AgentProcess> AgentCluster::launch(int i, int delayMs) const {
    auto agent = std::make_unique<test::AgentProcess>();
    // Its log lines are of no use here; unread, they would only pile up in memory.
    agent->process().setStandardErrorFile(QProcess::nullDevice());
    const QString id = QStringLiteral("%1-%2").arg(m_resource).arg(i);
    if (delayMs <= 0)
        agent->start(id, m_args);
    else
        QTimer::singleShot(delayMs, &agent->process(),
                           [a = agent.get(), id, args = m_args] { a->start(id, args); });
    return agent;
}

int AgentCluster::leader() const {
    int best = -1;
    qint64 bestFence = 0;
    for (int i = 0; i < size(); ++i) {
        const qint64 f =
            m_members[std::size_t(i)]->running() ? leadingFence(*m_members[std::size_t(i)]) : 0;
        if (f > bestFence) {
            best = i;
            bestFence = f;
        }
    }
    return best;
}

bool AgentCluster::settled() const {
    const int l = leader();
    if (l < 0)
        return false;
    const QString id = m_members[std::size_t(l)]->id();
    const qint64 fence = leadingFence(*m_members[std::size_t(l)]);
    for (int i = 0; i < size(); ++i) {
        const auto& m = *m_members[std::size_t(i)];
        if (!m.running())
            return false;
        if (i == l)
            continue;
        const QList<QJsonObject> seen = m.events(QStringLiteral("leader-changed"));
        if (seen.isEmpty() || seen.back().value(QStringLiteral("leader")).toString() != id ||
            seen.back().value(QStringLiteral("fence")).toInteger() != fence)
            return false;
    }
    return true;
}

std::optional<double> AgentCluster::electedSince(double sinceMs, int except) const {
    std::optional<double> first;
    for (int i = 0; i < size(); ++i) {
        if (i == except)
            continue;
        for (const QJsonObject& e : m_members[std::size_t(i)]->events(QStringLiteral("elected"))) {
            const double t = e.value(QStringLiteral("t")).toDouble();
            if (t >= sinceMs && (!first || t < *first))
                first = t;
        }
    }
    return first;
}

void AgentCluster::replace(int i) {
    m_members.at(std::size_t(i)) = launch(i, 0); // the old one is killed if it still runs
}

bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    return QTest::qWaitFor(done, timeoutMs);
}

} // namespace baton::bench
