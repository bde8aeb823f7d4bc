#pragma once
// A cluster of real baton-agent processes electing for one resource, read from their JSON event
// lines: who leads, whether everybody has seen the leader, when somebody else was elected. A
// member that was killed or stopped is replaced by a fresh process with the same id.

#include "support/agent_process.h"

#include <memory>
#include <optional>
#include <vector>

namespace baton::bench {

class AgentCluster {
public:
    /// Starts `size` agents: --resource `resource` --redis `url`, plus `args` (timings, modes),
    /// each after a random delay below `spreadMs` (so that their poll phases are independent, as
    /// in a real deployment, not all in step because they started at the same instant).
    AgentCluster(const std::string& url, QString resource, QStringList args, int size,
                 int spreadMs = 0);

    const QString& resource() const { return m_resource; }
    int size() const { return int(m_members.size()); }
    test::AgentProcess& at(int i) { return *m_members.at(std::size_t(i)); }

    /// The member that leads by its own account (the highest fence it was elected with, no
    /// revoked or stopped since, still running), or -1.
    int leader() const;
    /// A leader is known, every member runs, and every other member has seen that term.
    bool settled() const;
    /// The `t` (Unix ms) of the earliest `elected` printed by a member other than `except` at or
    /// after `sinceMs`.
    std::optional<double> electedSince(double sinceMs, int except) const;
    /// Starts a fresh process in place of member `i` (whose process has ended, or is killed).
    void replace(int i);
    bool running(int i) const { return m_members.at(std::size_t(i))->running(); }

private:
    std::unique_ptr<test::AgentProcess> launch(int i, int delayMs) const;

    QString m_resource;
    QStringList m_args;
    std::vector<std::unique_ptr<test::AgentProcess>> m_members;
};

/// Waits (serving the event loop) until `done()` or `timeoutMs`; false on timeout.
bool waitUntil(const std::function<bool()>& done, int timeoutMs);

} // namespace baton::bench
