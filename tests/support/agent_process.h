#pragma once
// Test support: a real baton-agent process whose JSON event lines are collected as they come.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

namespace baton::test {

class AgentProcess {
public:
    AgentProcess() {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            m_buffer += m_process.readAllStandardOutput();
            qsizetype nl;
            while ((nl = m_buffer.indexOf('\n')) >= 0) {
                const QByteArray line = m_buffer.left(nl);
                m_buffer.remove(0, nl + 1);
                const QJsonDocument doc = QJsonDocument::fromJson(line);
                if (doc.isObject())
                    m_events.push_back(doc.object());
                else
                    m_badLines.push_back(QString::fromUtf8(line));
            }
        });
    }
    ~AgentProcess() {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(m_process.processId()), SIGCONT);
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    void start(const QString& id, const QStringList& args) {
        m_id = id;
        m_process.start(QStringLiteral(BATON_AGENT_PATH),
                        QStringList{QStringLiteral("--id"), id} + args);
    }
    /// Sends `sig` while it runs (an ended process has pid 0: kill(0) would hit the test's own
    /// process group).
    void signal(int sig) {
        if (m_process.state() != QProcess::NotRunning)
            ::kill(static_cast<pid_t>(m_process.processId()), sig);
    }
    bool running() const { return m_process.state() == QProcess::Running; }
    QProcess& process() { return m_process; }
    const QString& id() const { return m_id; }

    QList<QJsonObject> events(const QString& type = {}) const {
        QList<QJsonObject> out;
        for (const auto& e : m_events)
            if (type.isEmpty() || e.value(QStringLiteral("event")).toString() == type)
                out.push_back(e);
        return out;
    }
    int count(const QString& type) const { return int(events(type).size()); }
    const QStringList& badLines() const { return m_badLines; }
    /// Everything it wrote to standard error so far.
    QString standardError() {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }

private:
    QProcess m_process;
    QString m_id;
    QByteArray m_buffer;
    QByteArray m_stderr;
    QList<QJsonObject> m_events;
    QStringList m_badLines;
};

/// Starts one more agent `id` on the Redis at `url`, resource "jobs", with `args` after that.
inline AgentProcess& launchAgent(std::vector<std::unique_ptr<AgentProcess>>& agents,
                                 const QString& id, const std::string& url,
                                 const QStringList& args) {
    agents.push_back(std::make_unique<AgentProcess>());
    agents.back()->start(id, QStringList{QStringLiteral("--redis"), QString::fromStdString(url),
                                         QStringLiteral("--resource"), QStringLiteral("jobs")} +
                                 args);
    return *agents.back();
}

/// Unix time in milliseconds, as the agents print it.
inline double nowMs() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace baton::test
