#pragma once
// A group of sharded baton-agent processes the lab starts on its Redis (Redis > Start sharded
// agents...): N agents with --shards M on one family, fair share unless told otherwise. Each
// can be killed (SIGKILL) or stopped (SIGTERM) from the Shards view; all stop with the lab.

#include <QObject>
#include <QProcess>
#include <QStringList>

#include <memory>
#include <vector>

namespace baton::lab {

class ShardAgents : public QObject {
    Q_OBJECT
public:
    /// What to start.
    struct Plan {
        QString family = QStringLiteral("jobs");
        int agents = 3;
        int shards = 6;
        bool fairShare = true;
        QStringList extraArgs; ///< after the lab's own (e.g. --ttl 1s for tests)
    };

    explicit ShardAgents(QObject* parent = nullptr);
    /// Stops every agent it started (SIGTERM, a bounded wait, then SIGKILL).
    ~ShardAgents() override;

    /// Starts `plan.agents` more agents of `agentPath` on `url` (given in the environment,
    /// never on the command line). Their ids are FAMILY-agent-a, -b, ... (the next letters
    /// when some run already). Returns the ids, or an empty list with `error` set.
    QStringList start(const QString& url, const QString& agentPath, const Plan& plan,
                      QString* error);
    /// Stops them all and waits (boundedly) for them to end.
    void stopAll();
    /// Sends `signal` to the agent `id` it started; false if it started none such, or it ended.
    bool signal(const QString& id, int signal);
    /// The ids of the agents it started that are still running.
    QStringList running() const;

Q_SIGNALS:
    /// An agent ended by itself (not by the lab's signal): its id and why, with its last
    /// standard error line.
    void agentEnded(const QString& id, const QString& why);

private:
    struct Agent {
        QString id;
        std::unique_ptr<QProcess> process;
        bool signalled = false;
    };
    std::vector<Agent> m_agents;
    int m_next = 0; ///< the next id's letter
};

/// The ids' suffix: a, b, ..., z, then aa, ab, ... (spreadsheet-style).
QString agentLetters(int n);

} // namespace baton::lab
