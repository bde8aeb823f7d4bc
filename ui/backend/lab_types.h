#pragma once
// What the lab shows, as plain values: the cluster at one instant (ClusterSnapshot) and the
// events that led there (LabEvent). Backends produce them on their own thread; models and views
// consume them on the GUI thread. Times are lab time: since the run began (virtual time when
// simulated, wall time since connecting in Redis mode).

#include "backend/action.h"

#include <baton/election/config.h>

#include <QMetaType>
#include <QString>
#include <QVector>

#include <string_view>

namespace baton::lab {

/// Time since the run began.
using LabTime = Duration;

enum class ElectorKind : quint8 {
    Simulated, ///< a machine in the simulator, on virtual time
    Thread,    ///< a real Election on a thread of the lab, on Redis
    Agent,     ///< a baton-agent process the lab started
    External,  ///< a baton-agent somebody else started, seen through the observer
};

enum class ElectorState : quint8 { Follower, Leader, Paused, Partitioned, Crashed, Stopped };

/// "simulated", "thread", "agent", "external".
QString kindName(ElectorKind kind);
/// "follower", "leader", "paused", "partitioned", "crashed", "stopped".
QString stateName(ElectorState state);

/// One elector as it is now.
struct ElectorView {
    int id = 0; ///< stable for the run; also its index in ClusterSnapshot::electors
    QString identity;
    ElectorKind kind = ElectorKind::Simulated;
    ElectorState state = ElectorState::Follower;
    bool believesLeader = false; ///< its own isLeader(); may disagree with the store
    bool pollingOnly = false;    ///< runs like the seed: followers only poll
    bool controllable = true;    ///< the lab can act on it (external: only with --allow-control)
    quint64 fence = 0;           ///< of its current or last term
    /// The arc that runs down: leader: last extend to its self-fencing deadline; follower: last
    /// try to its next try. leaseEnd <= leaseStart: nothing to show.
    LabTime leaseStart{};
    LabTime leaseEnd{};
    Timing timing;
    /// false: only the TTL is seen (another library's lock), not how it refreshes or retries
    bool timingKnown = true;
    double clockRate = 1.0; ///< its clock's true rate (1: exact)
    Duration latency{};     ///< one-way store latency now
    QString seenLeader;     ///< the leader as it last saw it
    quint64 storeCalls = 0;
    QString note; ///< what else to say ("partitioned until 12.5 s", "exited with code 2")
    /// Why it cannot undergo each action now ("" when it can), as its backend says.
    Capabilities unavailable;
};

/// The lock as the store holds it.
struct LockView {
    bool known = false; ///< false: the store could not be read
    int holder = -1;    ///< the holder's elector id; -1: free, or held by no elector we know
    QString holderIdentity;
    quint64 fence = 0;
    LabTime expiresAt{}; ///< when it expires unless extended
    Duration ttl{};      ///< the TTL it was last set with (the arc's full length)
};

struct ClusterSnapshot {
    LabTime now{};
    bool simulated = true;
    bool paused = false; ///< simulated time stands still
    double speed = 1.0;  ///< simulated seconds per wall second
    QVector<ElectorView> electors;
    LockView lock;
    double storeOpsPerSecond = 0; ///< store calls per second of lab time, recently
    QString storeStatus;          ///< empty when the store answers; else what is wrong
    QString resource;             ///< Redis: the resource watched (empty when simulated)
    /// Non-empty in a read-only watch: why nothing can be done (every action is refused).
    QString readOnly;
};

/// Something that happened, in time order within a backend.
struct LabEvent {
    enum class Source : quint8 {
        Elector, ///< an election event; name is eventName() ("elected", "extended", "revoked"...)
        Fault,   ///< name is faultName() ("crash", "restart", "stop", "start", "pause", "resume",
                 ///< "partition", "heal", "latency", "timing") or "drift"
        Store,   ///< the lock changed hands: name "holder" (elector, fence) or "free"
        Lab,     ///< the lab itself: name "info" or "error"
    };
    LabTime at{};
    Source source = Source::Elector;
    int elector = -1; ///< -1: none (the store, the lab)
    QString identity;
    QString name;
    quint64 fence = 0;
    LabTime deadline{};     ///< Elector elected/extended: the new self-fencing deadline
    LabTime until{};        ///< Fault with a length: when it ends by itself (zero: not planned)
    bool wasLeader = false; ///< Fault: the elector believed it led when it struck
    QString detail;
};

/// A duration in seconds (for drawing and figures on screen).
inline double toSeconds(Duration d) {
    return std::chrono::duration<double>(d).count();
}

/// 1, 2 or 5 times a power of ten, at least `raw` (1 for anything not positive): axis steps.
double niceStep(double raw);

/// UTF-8 text from the core as a QString.
inline QString qstr(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// What the log says beside an election event: the revocation's reason, the leader seen, or
/// the error's message.
QString eventDetail(const Event& e);
/// The "revoked" row that ends a leader's term where a crash struck it: a killed process says
/// nothing, but the log and the statistics must see its term end there. `crash` is the fault.
LabEvent crashRevocation(const LabEvent& crash, quint64 fence);

/// A fence as a label where room is short: "#12", or "#…653919" for Redis' time-based fences
/// (the last six digits tell neighbouring terms apart; tooltips and the log show all of it).
QString fenceLabel(quint64 fence);

/// Seconds with millisecond precision, as the lab prints times ("12.345").
QString formatSeconds(LabTime t);

} // namespace baton::lab

Q_DECLARE_METATYPE(baton::lab::ClusterSnapshot)
Q_DECLARE_METATYPE(baton::lab::LabEvent)
