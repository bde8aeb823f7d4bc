#include "shards/shard_agents.h"

#include "backend/child_process.h"

#include <csignal>

namespace baton::lab {

namespace {
constexpr int kStopWaitMs = 3000;
constexpr int kMaxAgents = 64;
} // namespace

QString agentLetters(int n) {
    QString out;
    for (++n; n > 0; n = (n - 1) / 26)
        out.prepend(QChar(u'a' + (n - 1) % 26));
    return out;
}

ShardAgents::ShardAgents(QObject* parent)
    : QObject(parent) {}

ShardAgents::~ShardAgents() {
    stopAll();
}

QStringList ShardAgents::start(const QString& url, const QString& agentPath, const Plan& plan,
                               QString* error) {
    const auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return QStringList{};
    };
    if (agentPath.isEmpty())
        return fail(tr("baton-agent was not found next to the lab nor on the PATH"));
    if (plan.agents < 1)
        return fail(tr("start at least one agent"));
    if (int(running().size()) + plan.agents > kMaxAgents)
        return fail(tr("%1 agents: the lab runs at most %2 sharded agents at once")
                        .arg(int(running().size()) + plan.agents)
                        .arg(kMaxAgents));
    if (plan.family.trimmed().isEmpty() || plan.shards < 1)
        return fail(tr("name the family and give at least one shard"));
    QStringList ids;
    for (int i = 0; i < plan.agents; ++i) {
        Agent a;
        a.id = plan.family + QStringLiteral("-agent-") + agentLetters(m_next++);
        a.process = std::make_unique<QProcess>();
        QProcess& p = *a.process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("REDIS_URL"), url); // not on the command line: ps shows that
        p.setProcessEnvironment(env);
        p.setStandardInputFile(QProcess::nullDevice());
        p.setStandardOutputFile(QProcess::nullDevice()); // the grid reads Redis, not the lines
        dieWithLab(p, SIGTERM); // started on the GUI thread, which lives as long as the lab
        QStringList args{QStringLiteral("--resource"), plan.family,
                         QStringLiteral("--id"),       a.id,
                         QStringLiteral("--shards"),   QString::number(plan.shards)};
        if (!plan.fairShare)
            args << QStringLiteral("--no-fair-share");
        const QString id = a.id;
        connect(&p, &QProcess::finished, this, [this, id](int code, QProcess::ExitStatus status) {
            for (Agent& x : m_agents)
                if (x.id == id && !x.signalled) {
                    const QString last = QString::fromUtf8(x.process->readAllStandardError())
                                             .trimmed()
                                             .split(u'\n')
                                             .last();
                    Q_EMIT agentEnded(id, status == QProcess::CrashExit
                                              ? tr("crashed: %1").arg(last)
                                              : tr("exit %1: %2").arg(code).arg(last));
                }
        });
        p.start(agentPath, args + plan.extraArgs);
        if (!p.waitForStarted(5000))
            return fail(tr("%1 could not start: %2").arg(agentPath, p.errorString()));
        ids << a.id;
        m_agents.push_back(std::move(a));
    }
    return ids;
}

void ShardAgents::stopAll() {
    for (Agent& a : m_agents)
        if (a.process->state() != QProcess::NotRunning) {
            a.signalled = true;
            const auto pid = static_cast<pid_t>(a.process->processId());
            ::kill(pid, SIGCONT); // a paused one could not stop
            ::kill(pid, SIGTERM);
        }
    for (Agent& a : m_agents)
        if (a.process->state() != QProcess::NotRunning &&
            !a.process->waitForFinished(kStopWaitMs)) {
            a.process->kill();
            a.process->waitForFinished(kStopWaitMs);
        }
    m_agents.clear();
}

bool ShardAgents::signal(const QString& id, int sig) {
    for (Agent& a : m_agents)
        if (a.id == id && a.process->state() == QProcess::Running) {
            a.signalled = true;
            ::kill(static_cast<pid_t>(a.process->processId()), sig);
            return true;
        }
    return false;
}

QStringList ShardAgents::running() const {
    QStringList ids;
    for (const Agent& a : m_agents)
        if (a.process->state() != QProcess::NotRunning)
            ids << a.id;
    return ids;
}

} // namespace baton::lab
