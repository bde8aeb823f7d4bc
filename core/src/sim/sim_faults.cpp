#include "simulator_impl.h"

#include <cstdio>

namespace baton {

std::vector<int> Simulator::Impl::targets(const FaultTarget& t, TimePoint v) {
    std::vector<int> out;
    switch (t.kind) {
    case FaultTarget::Kind::Elector:
        out.push_back(t.index);
        break;
    case FaultTarget::Kind::All:
        for (const Node& n : nodes)
            out.push_back(n.index);
        break;
    case FaultTarget::Kind::Leader: {
        for (const Node& n : nodes)
            if (believesLeader(n, v)) {
                out.push_back(n.index);
                break;
            }
        if (out.empty()) {
            // Nobody believes it leads (an election is under way): hit the lock's holder.
            if (const auto held = lockView(v); held && held->elector >= 0)
                out.push_back(held->elector);
        }
        break;
    }
    case FaultTarget::Kind::Follower: {
        std::vector<int> followers;
        for (const Node& n : nodes)
            if (n.running() && !believesLeader(n, v))
                followers.push_back(n.index);
        if (!followers.empty())
            out.push_back(followers[choice.below(followers.size())]);
        break;
    }
    }
    return out;
}

void Simulator::Impl::closeOpen(int elector, FaultKind kind, TimePoint v) {
    for (FaultRecord& r : history.faults)
        if (r.elector == elector && r.kind == kind && r.applied && r.end > v)
            r.end = v;
}

void Simulator::Impl::faultStart(const Fault& f, TimePoint v) {
    const std::vector<int> hit = targets(f.target, v);
    if (hit.empty()) {
        history.faults.push_back(
            FaultRecord{v, v, -1, f.kind, false, false, "no target (nobody leads or follows)"});
        return;
    }
    for (int index : hit) {
        Node& n = nodes[static_cast<std::size_t>(index)];
        FaultRecord record{v, v, index, f.kind, believesLeader(n, v), true, {}};
        const bool lasting = isLasting(f.kind);
        if (lasting)
            record.end = f.duration.count() > 0 ? v + f.duration : TimePoint::max();
        const bool took = strike(n, f, v, record.detail);
        if (!took) {
            record.end = v;
            record.applied = false;
        }
        history.faults.push_back(record);
        if (took && lasting && f.duration.count() > 0) {
            Action& a = schedule(v + f.duration, ActionKind::FaultEnd);
            a.node = index;
            a.setFault(f);
            a.token = history.faults.size() - 1;
        }
    }
}

bool Simulator::Impl::strike(Node& n, const Fault& f, TimePoint v, std::string& detail) {
    switch (f.kind) {
    case FaultKind::Crash:
    case FaultKind::Restart:
    case FaultKind::Start:
    case FaultKind::Stop:
    case FaultKind::Pause:
    case FaultKind::Resume:
        return strikeProcess(n, f, v, detail);
    case FaultKind::Drift:
    case FaultKind::Timing:
        return strikeClock(n, f, v, detail);
    default:
        return strikeNetwork(n, f, v, detail);
    }
}

bool Simulator::Impl::strikeProcess(Node& n, const Fault& f, TimePoint v, std::string& detail) {
    const TimePoint local = n.info.toLocal(v);
    switch (f.kind) {
    case FaultKind::Crash:
        if (!n.alive) {
            detail = "already down";
            return false;
        }
        crash(n);
        return true;
    case FaultKind::Restart:
    case FaultKind::Start:
        closeOpen(n.index, FaultKind::Crash, v);
        closeOpen(n.index, FaultKind::Stop, v);
        if (n.running()) {
            detail = "already running";
            return false;
        }
        bringUp(n, v);
        return true;
    case FaultKind::Stop:
        if (!n.running()) {
            detail = "not running";
            return false;
        }
        if (n.paused()) {
            n.pending.push_back(make(ActionKind::Stop, n));
            detail = "takes effect at resume";
            return true;
        }
        n.machine->handle(local, StopRequest{});
        drive(n, v);
        return true;
    case FaultKind::Pause:
        if (!n.alive) {
            detail = "not alive";
            return false;
        }
        if (!n.paused() && believesLeader(n, v)) {
            // The pause strikes right after the leader checked isLeader() for a write.
            n.heldWrite = std::make_pair(n.machine->fence(), v);
        }
        ++n.pauses;
        return true;
    case FaultKind::Resume:
        closeOpen(n.index, FaultKind::Pause, v);
        if (!n.paused()) {
            detail = "not paused";
            return false;
        }
        n.pauses = 0;
        resume(n, v);
        return true;
    default:
        break;
    }
    return false;
}
bool Simulator::Impl::strikeNetwork(Node& n, const Fault& f, TimePoint v, std::string& detail) {
    switch (f.kind) {
    case FaultKind::Partition:
        ++n.partitions;
        n.partitionMode = f.mode;
        detail = f.mode == Fault::PartitionMode::Hang ? "hang" : "fail";
        return true;
    case FaultKind::Heal:
        closeOpen(n.index, FaultKind::Partition, v);
        n.partitions = 0;
        return true;
    case FaultKind::Latency:
        n.extra += f.extra;
        detail = "+" + formatDuration(f.extra);
        return true;
    default:
        break;
    }
    return false;
}

bool Simulator::Impl::strikeClock(Node& n, const Fault& f, TimePoint v, std::string& detail) {
    const TimePoint local = n.info.toLocal(v);
    switch (f.kind) {
    case FaultKind::Drift: {
        if (!(f.rate > 0.5 && f.rate < 2.0)) {
            detail = "rejected: a clock rate must be in (0.5, 2)";
            return false;
        }
        // Re-anchored at this instant, so the clock changes pace without jumping.
        n.info.localAtStart = local;
        n.info.start = v;
        n.info.clockRate = f.rate;
        n.clockChanged();
        char text[32];
        std::snprintf(text, sizeof text, "clock rate %.4g", f.rate);
        detail = text;
        if (n.alive && !n.paused() && n.machine)
            scheduleWake(n, v, local);
        return true;
    }
    case FaultKind::Timing: {
        Timing t = n.timing;
        if (f.ttl)
            t.ttl = *f.ttl;
        if (f.refresh)
            t.refreshInterval = *f.refresh;
        if (f.retry)
            t.retryInterval = *f.retry;
        try {
            validate(t);
        } catch (const ConfigError& e) {
            detail = std::string("rejected: ") + e.what();
            return false;
        }
        n.timing = t;
        detail = "ttl " + formatDuration(t.ttl) + " refresh " + formatDuration(t.refreshInterval) +
                 " retry " + formatDuration(t.retryInterval);
        if (n.machine) {
            n.machine->setTiming(t);
            drive(n, v);
        }
        return true;
    }
    default:
        break;
    }
    return false;
}

void Simulator::Impl::faultEnd(Action& a, TimePoint v) {
    FaultRecord& record = history.faults[a.token];
    if (record.end != v)
        return; // already ended by an explicit fault, or a crash cut it short
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    switch (a.fault->kind) {
    case FaultKind::Crash:
    case FaultKind::Stop:
        bringUp(n, v);
        break;
    case FaultKind::Pause:
        if (n.pauses > 0 && --n.pauses == 0)
            resume(n, v);
        break;
    case FaultKind::Partition:
        if (n.partitions > 0)
            --n.partitions;
        break;
    case FaultKind::Latency:
        n.extra = std::max(Duration(0), n.extra - a.fault->extra);
        break;
    default:
        break;
    }
}

} // namespace baton
