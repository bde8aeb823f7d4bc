#pragma once
// An elector the Redis backend manages (a thread elector, an agent it started, an agent started
// elsewhere): what it shows, what it can do now or why not, and how it does an Action.

#include "backend/backend.h"
#include "backend/lab_clock.h"
#include "backend/redis_wire.h"

#include <baton/redis/presence.h>

#include <optional>
#include <variant>

namespace baton::lab {

/// What an elector needs from the backend that manages it (on the backend's thread).
class RedisHost {
public:
    virtual const LabClock& clock() const = 0;
    /// Queues an event for the next batch.
    virtual void push(LabEvent e) = 0;
    virtual void labError(const QString& detail) = 0;
    /// Publishes `json` on the resource's control channel; a failure is reported as an error
    /// about `who`.
    virtual void sendControl(const QString& who, const std::string& json) = 0;
    /// shutdown() has begun (an agent's end is then no error).
    virtual bool shuttingDown() const = 0;

protected:
    ~RedisHost() = default;
};

/// "ttl 3 s, refresh 1 s, retry 500 ms".
QString describe(const Timing& t);

class RedisElector {
public:
    RedisElector(RedisHost& host, int id, const QString& identity, ElectorKind kind);
    virtual ~RedisElector() = default;
    RedisElector(const RedisElector&) = delete;
    RedisElector& operator=(const RedisElector&) = delete;

    int id() const { return m_id; }
    const QString& identity() const { return m_identity; }
    const std::string& identityStd() const { return m_identityStd; }
    ElectorKind kind() const { return m_kind; }
    bool removed() const { return m_removed; }

    /// What the cluster view shows of it at `now`, with what it can undergo (its whyNot()).
    ElectorView view(LabTime now) const;
    /// Why it cannot drift: it runs on the lab's own clock (a thread elector).
    static QString noDrift();
    /// Its own isLeader(), as far as the lab can tell.
    virtual bool believesLeader(LabTime now) const = 0;
    /// Its timing now: its own, its presence entry's, or the last one the lab set.
    virtual Timing timing() const;

    /// Why it cannot do `a` now (a per-elector kind other than KillLeader, with a valid
    /// timing); nullopt: act() will do it.
    virtual std::optional<QString> whyNot(const Action& a, LabTime now) const = 0;
    /// Carries out `a`, which whyNot() accepted, and reports it as a fault event.
    virtual void act(const Action& a, LabTime now) = 0;
    /// What "kill the leader" does to it while it holds the lock, or why nothing can.
    virtual std::variant<Action, QString> leaderKill(const Action& a) const;
    /// Why it cannot be asked to resign (a control message) while it holds the lock; nullopt:
    /// it obeys control (an agent with --allow-control).
    virtual std::optional<QString> whyNoResign() const;

    /// An election event it reported (its callback, its stdout or the event channel).
    void apply(const WireEvent& w);
    /// Its entry in the latest look at the presence set; nullptr: it has none.
    virtual void onMember(const MemberInfo* m, LabTime when);
    /// Due work, at each tick.
    virtual void tick(LabTime /*now*/) {}

    // Shutdown, in three passes over all electors, so that the waits overlap: ask to stop,
    // wait for processes until `graceEnd`, join threads.
    virtual void requestStop() {}
    virtual void awaitStop(TimePoint /*graceEnd*/) {}
    virtual void join() {}

protected:
    enum class Life : quint8 { Running, Crashed, Stopped };

    /// The kind's part of the view, after the shared part; `down`: its state when not running.
    virtual void fillView(ElectorView& v, LabTime now, ElectorState down) const = 0;
    /// The fence a fault event carries.
    virtual std::uint64_t fenceNow() const { return m_fence; }
    /// What else an event of its own tells it.
    virtual void noted(const WireEvent& /*w*/) {}

    void fault(const QString& name, bool wasLeader, LabTime until = {}, const QString& detail = {});
    /// Reports the fault `a` (one of the core's kinds) under the core's name: what lasts a
    /// duration (pause, partition, latency) with its planned end; `detail` by default says what
    /// a latency or timing change sets.
    void reportFault(const Action& a, LabTime now, bool wasLeader, QString detail = {});
    /// Refusals shared by the kinds.
    std::optional<QString> notRunning(const Action& a) const;
    /// For what needs it running: notRunning() when it is not, else a pause's or partition's
    /// length check.
    std::optional<QString> needsRunning(const Action& a, bool running) const;
    std::optional<QString> alreadyRunning() const;
    std::optional<QString> notPaused() const;
    static std::optional<QString> badLength(const Action& a);
    /// The core's rule for a fault's strength (length, added latency, clock rate), if broken.
    static std::optional<QString> badStrength(const Action& a);
    /// Marks it removed (no longer controllable).
    void markRemoved();

    RedisHost& m_host;
    bool m_pollingOnly = false;
    bool m_controllable = true;
    bool m_removed = false;
    Life m_life = Life::Running;
    Timing m_timing;
    QString m_note;

    // From its events.
    bool m_leading = false;
    std::uint64_t m_fence = 0;
    LabTime m_leaseStart{};
    LabTime m_leaseEnd{};
    QString m_seenLeader;

    // Its presence entry (agents).
    std::optional<MemberInfo> m_member;

private:
    const int m_id;
    const QString m_identity;
    const std::string m_identityStd;
    const ElectorKind m_kind;
};

} // namespace baton::lab
