#pragma once
// A baton-agent process the lab starts on the resource (--allow-control): killed, stopped,
// paused and resumed by signals (SIGKILL, SIGTERM, SIGSTOP, SIGCONT), partitioned and slowed on
// the network by its own fault proxy (the control channel when it has none), its clock drifted
// by a restart with --clock-rate, retimed by control messages; its events come as JSON lines on
// its stdout.

#include "backend/agent_proxy.h"
#include "backend/redis_elector.h"

#include <QProcess>

#include <memory>

namespace baton::lab {

class AgentElector final : public RedisElector {
public:
    /// `processParent`: owns its QProcess (lives on the backend's thread).
    AgentElector(RedisHost& host, int id, const QString& identity, QObject& processParent,
                 QString url, QString resource, QString agentPath, const Timing& timing,
                 bool pollingOnly);

    /// Starts the process (again).
    void launch();
    /// Added to every launch's arguments (the lab's --min-replicas N).
    void setExtraArguments(QStringList args) { m_extraArgs = std::move(args); }

    bool believesLeader(LabTime now) const override;
    std::optional<QString> whyNot(const Action& a, LabTime now) const override;
    void act(const Action& a, LabTime now) override;
    void tick(LabTime now) override;
    void requestStop() override;
    void awaitStop(TimePoint graceEnd) override;

private:
    enum class Ending : quint8 { None, Kill, Stop };

    void fillView(ElectorView& v, LabTime now, ElectorState down) const override;
    void noted(const WireEvent& w) override;
    bool running() const;
    QStringList arguments() const;
    void connectProcess(QProcess* p);
    void onOutput();
    void onError();
    void onFinished(QProcess* process, int code, QProcess::ExitStatus status);
    QString stopNote(int code, QProcess::ExitStatus status) const;
    /// SIGTERM: revoke, release, exit 0 (SIGCONT too: a stopped process takes no TERM).
    void terminate();
    void actSignal(const Action& a, LabTime now, bool leads);
    /// Partition, heal and latency: on its proxy, or over the control channel without one.
    void actNetwork(const Action& a);
    QString networkDetail(const Action& a) const;
    std::optional<QString> whyNotNetwork(const Action& a, bool running, LabTime now) const;
    /// A new clock rate: a running agent restarts with it (SIGTERM, then --clock-rate).
    void drift(const Action& a, LabTime now, bool leads);
    bool partitioned(LabTime now) const;
    /// What its proxy has in force now (nothing without a proxy).
    AgentProxy::InForce inForce() const;

    QObject& m_parent;
    const QString m_url;
    const QString m_resource;
    const QString m_agentPath;
    QProcess* m_process = nullptr;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_lastStderr;
    Ending m_ending = Ending::None;
    bool m_started = false;       // it printed "started"
    LabTime m_pausedUntil{};      // SIGSTOP until then (zero: not paused)
    LabTime m_partitionedUntil{}; // over the control channel, as the lab asked
    std::unique_ptr<AgentProxy> m_proxy;
    QString m_noProxy; // why it has none
    double m_clockRate = 1.0;
    QStringList m_extraArgs;
    bool m_relaunch = false; // a drift's restart: start again once it has stopped
};

} // namespace baton::lab
