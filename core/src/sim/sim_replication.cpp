// The simulator's calls on a replicated store (Scenario::replication): the outage of a failover,
// and WAIT, which holds an acquire's or extend's answer until enough replicas have it.
#include "simulator_impl.h"

namespace baton {

namespace {

bool waitsForReplicas(const CallResult& answer) {
    if (answer.error)
        return false;
    if (answer.kind == Command::Kind::Acquire)
        return answer.attempt && answer.attempt->lease;
    return answer.kind == Command::Kind::Extend && answer.held;
}

} // namespace

void Simulator::Impl::arriveReplicated(Action& a, TimePoint v) {
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    ++history.storeCalls[static_cast<std::size_t>(a.node)];
    sim_detail::ReplicatedStore& rs = *replicated;
    const Replication& config = *scenario.replication;
    const bool down = rs.down(v);
    if (rs.failovers().size() > history.failovers.size())
        history.failovers.assign(rs.failovers().begin(), rs.failovers().end());
    CallResult answer;
    Duration held{}; // how long the store keeps the answer (WAIT)
    if (down) {
        if (config.outageHangs) {
            // Nobody answers: the caller's timeout ends the call (a late one has its own).
            if (!a.answered)
                return;
            Action& r = schedule(a.sentAt + scenario.commandTimeout, ActionKind::Reply, n);
            r.incarnation = a.incarnation;
            r.sentAt = a.sentAt;
            r.setAnswer(CallResult::failure(a.command.kind, timedOut + " (no primary)"));
            return;
        }
        answer = CallResult::failure(a.command.kind,
                                     "store unreachable: the primary is down, failover under way");
    } else {
        answer = execute(locker, n.info.identity, a.command);
        recordStore(viewAfter(n, answer, v));
        if (config.minReplicas > 0 && rs.wrote() && waitsForReplicas(answer)) {
            const auto ack = rs.acknowledge(v);
            held = ack.after;
            if (ack.error)
                answer = CallResult::failure(answer.kind, *ack.error);
        }
    }
    if (!a.answered)
        return;
    TimePoint at = v + held + a.inbound;
    if (at > a.sentAt + scenario.commandTimeout) {
        at = a.sentAt + scenario.commandTimeout; // WAIT outlasted the caller's patience
        answer = CallResult::failure(answer.kind, timedOut);
    }
    Action& r = schedule(at, ActionKind::Reply, n);
    r.incarnation = a.incarnation;
    r.sentAt = a.sentAt;
    r.setAnswer(std::move(answer));
}

} // namespace baton
