#include "simulator_impl.h"

namespace baton {

using std::chrono::nanoseconds;

void Simulator::Impl::harvest(Node& n, TimePoint v) {
    if (!n.machine->hasEvents())
        return;
    for (Event& e : n.machine->takeEvents()) {
        const bool elected = e.type == EventType::Elected;
        record(history.events, ElectorEvent{v, n.index, n.incarnation, std::move(e)});
        if (elected)
            startWriting(n, v);
    }
}

void Simulator::Impl::drive(Node& n, TimePoint v) {
    if (!n.alive || n.paused())
        return;
    const TimePoint local = n.toLocal(v);
    // Before its wake-up time a machine's poll does nothing (a follower that has just been
    // answered, a leader between extends): skipped.
    if (local < n.machine->wakeAt()) {
        harvest(n, v);
        return scheduleWake(n, v, local);
    }
    // Written where the call will most likely travel: the slot of the action just handled.
    Command& cmd = reusable ? queue.action(taking).command : outgoing;
    const bool call = n.machine->poll(local, cmd);
    harvest(n, v);
    if (call)
        send(n, cmd, v);
    scheduleWake(n, v, local);
}

void Simulator::Impl::scheduleWake(Node& n, TimePoint v, TimePoint local) {
    const TimePoint w = n.machine->wakeAt();
    if (w == TimePoint::max()) {
        ++n.wakeToken;
        n.wakeAt = TimePoint::max();
        return;
    }
    // A wake-up in the past means "now"; one nanosecond on keeps a confused machine from
    // spinning at one instant.
    const TimePoint at = w <= local ? v + nanoseconds(1) : n.toVirtual(w);
    if (at == n.wakeAt)
        return;
    n.wakeAt = at;
    schedule(at, ActionKind::Wake, n).token = ++n.wakeToken;
}

void Simulator::Impl::apply(Node& n, Action& a, TimePoint v) {
    const TimePoint local = n.toLocal(v);
    switch (a.kind) {
    case ActionKind::Reply:
        n.machine->handle(local, a.answer);
        break;
    case ActionKind::Notice:
        n.machine->handle(local, ReleaseNotice{});
        break;
    case ActionKind::Stop:
        n.machine->handle(local, StopRequest{});
        break;
    default:
        break;
    }
}

void Simulator::Impl::bringUp(Node& n, TimePoint v) {
    if (n.running())
        return;
    n.alive = false; // until its new machine is made (alive: `machine` holds one)
    ++n.incarnation;
    n.pauses = 0;
    n.pending.clear();
    n.heldWrite.reset();
    n.wakeAt = TimePoint::max();
    Config c;
    c.resource = scenario.resource;
    c.identity = n.info.identity;
    c.timing = n.timing;
    c.maxClockDrift = scenario.maxDrift;
    c.pollingOnly = n.pollingOnly;
    n.machine.emplace(c, [this] { return newToken(); });
    n.alive = true;
    n.machine->start(n.info.toLocal(v));
    drive(n, v);
}

void Simulator::Impl::crash(Node& n) {
    n.alive = false;
    n.machine.reset();
    ++n.incarnation;
    ++n.wakeToken;
    ++n.writeToken;
    n.wakeAt = TimePoint::max();
    n.pauses = 0;
    n.pending.clear();
    n.heldWrite.reset();
}

void Simulator::Impl::resume(Node& n, TimePoint v) {
    if (!n.alive || !n.machine)
        return;
    // Everything that arrived meanwhile is handled now, in order, on a clock that ran on.
    std::vector<Action> pending = std::exchange(n.pending, {});
    for (Action& a : pending)
        apply(n, a, v);
    n.wakeAt = TimePoint::max();
    drive(n, v);
    if (n.heldWrite) {
        // The write decided just before the pause goes out now, however stale.
        sendWrite(n, n.heldWrite->first, n.heldWrite->second, v);
        n.heldWrite.reset();
    }
    if (n.machine->isLeader(n.info.toLocal(v)))
        startWriting(n, v);
}

} // namespace baton
