#pragma once
// What the operator asks a backend to do (Action), on the core's fault vocabulary, and what an
// elector can undergo now (Capabilities). Plain values, passed between threads.

#include <baton/election/config.h>
#include <baton/fault/fault.h>

#include <QMetaType>
#include <QString>

#include <array>
#include <optional>

namespace baton::lab {

/// What the operator asks for: one of the core's faults (the first kinds, in FaultKind's order
/// and with its names) or one of the lab's own verbs. Unused fields are ignored.
struct Action {
    enum class Kind : quint8 {
        Crash,      ///< "kill": no release (agent: SIGKILL); back after `duration` if set
        Restart,    ///< a crashed elector comes back (the simulator's Start after a crash)
        Stop,       ///< graceful stop (agent: SIGTERM)
        Start,      ///< start a stopped or crashed elector again
        Pause,      ///< freeze for `duration` (agent: SIGSTOP, SIGCONT after it)
        Resume,     ///< end a pause now
        Partition,  ///< cut it off from the store for `duration`
        Heal,       ///< end a partition now
        Latency,    ///< add `extra` to each store trip for `duration`
        Timing,     ///< new ttl, refresh and retry intervals, live
        Drift,      ///< its clock runs at `rate` (agent: a restart with --clock-rate)
        KillLeader, ///< Kill whoever leads now (the store's holder)
        AddThread,  ///< Redis: a new in-process elector (pollingOnly)
        AddAgent,   ///< Redis: a new baton-agent process (pollingOnly)
        Remove,     ///< Redis: stop it and drop it from the lab
        /// Redis: the store's holder (`elector`, or -1: whoever holds the lock) steps down: a
        /// resign control message, as baton-ctl resign sends; it revokes, releases and sits
        /// out the next election, so that another member takes over within milliseconds.
        ResignLeader,
    };
    Kind kind = Kind::Crash;
    int elector = -1;
    Duration duration{};
    Duration extra{};
    double rate = 1.0;
    Timing timing;
    bool pollingOnly = false;
};
inline constexpr int kActionKinds = 16;

/// The core's fault that `kind` is, if it is one.
constexpr std::optional<FaultKind> faultOf(Action::Kind kind) {
    if (static_cast<int>(kind) < kFaultKinds)
        return static_cast<FaultKind>(kind);
    return std::nullopt;
}
static_assert(faultOf(Action::Kind::Drift) == FaultKind::Drift &&
                  faultOf(Action::Kind::Timing) == FaultKind::Timing &&
                  faultOf(Action::Kind::Crash) == FaultKind::Crash &&
                  !faultOf(Action::Kind::KillLeader),
              "the fault actions are the core's FaultKinds, in order");

/// What the operator calls it: the fault's name ("kill" for a crash, "set timing" for a timing
/// change), or the verb ("kill leader", "add agent", ...), for logs and refusals.
QString actionName(Action::Kind kind);

/// Per action kind, why an elector cannot undergo it now ("" when it can): what the backend
/// that runs it says (ElectorView::unavailable), shown by the inspector and the menus.
using Capabilities = std::array<QString, kActionKinds>;

/// Whether `kind` is something one elector undergoes (a fault other than Restart, or Remove),
/// so that it has a place in Capabilities; KillLeader and the Add verbs act on the cluster.
constexpr bool actsOnOne(Action::Kind kind) {
    return kind != Action::Kind::Restart && kind != Action::Kind::KillLeader &&
           kind != Action::Kind::AddThread && kind != Action::Kind::AddAgent;
}

} // namespace baton::lab

Q_DECLARE_METATYPE(baton::lab::Action)
