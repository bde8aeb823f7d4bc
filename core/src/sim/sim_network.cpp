#include "simulator_impl.h"

namespace baton {

void Simulator::Impl::send(Node& n, const Command& cmd, TimePoint v) {
    const Duration timeout = scenario.commandTimeout;
    if (n.partitioned()) {
        const bool fail = n.partitionMode == Fault::PartitionMode::Fail;
        Action& r = schedule(fail ? v + oneWay(n) : v + timeout, ActionKind::Reply, n);
        r.sentAt = v;
        r.setAnswer(cmd.kind).error =
            fail ? "store unreachable (partitioned)" : timedOutPartitioned;
        return;
    }
    const Duration out = oneWay(n);
    const Duration back = oneWay(n);
    // Past the timeout the caller gives up, but the request is on the wire and the store still
    // acts on it.
    const bool late = out + back > timeout;
    if (late) {
        Action& r = schedule(v + timeout, ActionKind::Reply, n);
        r.sentAt = v;
        r.setAnswer(cmd.kind).error = timedOut;
    }
    Action& a = schedule(v + out, ActionKind::Arrive, n);
    a.sentAt = v;
    a.inbound = back;
    a.answered = !late;
    if (&a.command != &cmd) // else made in this slot already
        a.command = cmd;
}

[[gnu::flatten]] void Simulator::Impl::arrive(Action& a, TimePoint v) {
    if (replicated)
        return arriveReplicated(a, v);
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    ++history.storeCalls[static_cast<std::size_t>(a.node)];
    callStore(n, a);
    recordStore(viewAfter(n, a.answer, v));
    if (!a.answered)
        return;
    // The call's action travels back as its reply.
    a.kind = ActionKind::Reply;
    requeue(v + a.inbound);
}

void Simulator::Impl::callStore(const Node& n, Action& a) {
    const Command& cmd = a.command;
    store.setCaller(n.index);
    if (cmd.kind != Command::Kind::Acquire) {
        a.setAnswer(execute(locker, n.info.identity, cmd));
        return;
    }
    // An acquire (of the run's resource: every simulated elector's), answered in place: what
    // execute() makes of Locker::tryLock, without the copies of its reply. The answer's
    // attempt is filled in whole, so the slot's last one is written over, buffers and all.
    CallResult& answer = a.answerWithAttempt(cmd.kind);
    LockAttempt& attempt = answer.attempt ? *answer.attempt : answer.attempt.emplace();
    try {
        store.acquire(now(), cmd.lease.token, n.info.identity, cmd.ttl, attempt);
    } catch (const std::exception& e) {
        a.setAnswer(CallResult::failure(cmd.kind, e.what()));
    }
}

std::optional<StoreView> Simulator::Impl::lockView(TimePoint v) {
    const auto held =
        replicated ? replicated->inspect(scenario.resource) : store.inspect(scenario.resource);
    if (!held)
        return std::nullopt;
    return StoreView{v, replicated ? indexOf(held->identity) : store.holder(v), held->fence,
                     v + held->remaining};
}

int Simulator::Impl::indexOf(const std::string& identity) const {
    // Mostly the holder the store had last time.
    if (!history.store.empty()) {
        const int last = history.store.back().elector;
        if (last >= 0 && nodes[static_cast<std::size_t>(last)].info.identity == identity)
            return last;
    }
    const auto it = byIdentity.find(identity);
    return it == byIdentity.end() ? -1 : it->second;
}

StoreView Simulator::Impl::viewAfter(const Node& n, const CallResult& answer, TimePoint v) {
    if (answer.kind == Command::Kind::Acquire && !answer.error && answer.attempt) {
        // Taken: the caller holds it for the ttl; not: the store named the holder, its fence and
        // its remaining TTL, just as inspect() would now.
        const LockAttempt& attempt = *answer.attempt;
        // The simulated store knows its holder's index; a replicated one only its identity.
        const int holder = attempt.lease ? n.index
                           : replicated  ? indexOf(attempt.holder.identity)
                                         : store.holder(v);
        return StoreView{v, holder, attempt.holder.fence, v + attempt.holder.remaining};
    }
    return lockView(v).value_or(StoreView{v, -1, 0, v});
}

void Simulator::Impl::recordStore(const StoreView& view) {
    if (!history.store.empty()) {
        const StoreView& last = history.store.back();
        if (last.elector == view.elector && last.fence == view.fence &&
            (view.elector < 0 || last.expiresAt == view.expiresAt))
            return;
    }
    record(history.store, view);
}

[[gnu::flatten]] void Simulator::Impl::reply(Action& a, TimePoint v) {
    Node* n = addressee(a);
    if (!n)
        return; // the process that asked is gone
    if (n->partitioned() && !a.answer.error) {
        // The answer is lost in the partition: the caller times out instead.
        a.answer.error = timedOutPartitioned;
        a.answer.attempt.reset();
        const TimePoint timeoutAt = a.sentAt + scenario.commandTimeout;
        if (timeoutAt > v) {
            requeue(timeoutAt);
            return;
        }
    }
    deliver(*n, a, v);
}

void Simulator::Impl::notice(Action& a, TimePoint v) {
    if (Node* n = addressee(a))
        deliver(*n, a, v);
}

Simulator::Impl::Node* Simulator::Impl::addressee(const Action& a) {
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    return n.alive && n.incarnation == a.incarnation ? &n : nullptr;
}

void Simulator::Impl::deliver(Node& n, Action& a, TimePoint v) {
    if (n.paused()) {
        n.pending.push_back(std::move(a));
        return;
    }
    apply(n, a, v);
    // Handled (`a` is the action being taken: a reply or a notice): what the elector does next
    // can travel in its slot.
    reusable = true;
    drive(n, v);
}

} // namespace baton
