#pragma once
// The lab's Redis mode: electors on a real Redis shown as snapshots and events. In-process
// Elections on threads of their own, baton-agent processes the lab starts, and agents started
// elsewhere (seen through the core's Observer). Lives on a thread of its own; every store call
// happens on worker threads, so a Redis that hangs never stops the snapshots.

#include "backend/backend.h"

#include <QString>

#include <chrono>
#include <memory>

namespace baton::lab {

class RedisBackend : public Backend {
    Q_OBJECT
public:
    /// `url`: redis://... or unix://... (checked by begin(), which reports a bad one);
    /// `agentPath`: the baton-agent executable for AddAgent (empty: AddAgent is refused).
    explicit RedisBackend(QString url, QString resource = QStringLiteral("job-scheduler"),
                          QString agentPath = {}, QObject* parent = nullptr);
    /// Before begin(): a read-only watch. Nothing is written to Redis (no elector is started,
    /// no control message is sent); every action is refused with readOnlyReason().
    void setReadOnly(bool readOnly);
    /// Before begin(): arguments added to every baton-agent it starts (e.g. --min-replicas 1).
    void setAgentArguments(const QStringList& args);
    /// Why a read-only watch refuses an action.
    static QString readOnlyReason();
    /// Shuts down first if shutdown() was not called.
    ~RedisBackend() override;

    void begin() override;
    void act(const baton::lab::Action& action) override;
    /// Stops the thread electors (release), SIGTERMs the agents (SIGKILL after a short grace)
    /// and stops watching. Blocks for at most a few seconds.
    void shutdown() override;

    static constexpr std::chrono::milliseconds kSnapshotInterval{40};

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace baton::lab
