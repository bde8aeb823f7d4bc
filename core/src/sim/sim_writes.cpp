#include "simulator_impl.h"

namespace baton {

void Simulator::Impl::startWriting(Node& n, TimePoint v) {
    schedule(v, ActionKind::WriteTick, n).token = ++n.writeToken;
}

void Simulator::Impl::writeTick(Action& a, TimePoint v) {
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    if (a.token != n.writeToken || a.incarnation != n.incarnation || !n.alive || !n.machine ||
        n.paused())
        return;
    if (!n.machine->isLeader(n.info.toLocal(v)))
        return;
    sendWrite(n, n.machine->fence(), v, v);
    schedule(v + scenario.writeInterval, ActionKind::WriteTick, n).token = n.writeToken;
}

void Simulator::Impl::sendWrite(Node& n, std::uint64_t fence, TimePoint decidedAt, TimePoint v) {
    Action& a = schedule(v + oneWay(n), ActionKind::WriteArrive, n);
    a.fence = fence;
    a.decidedAt = decidedAt;
}

void Simulator::Impl::writeArrive(Action& a, TimePoint v) {
    const std::uint64_t newest = resource.newestFence();
    const auto result = resource.write(a.fence);
    WriteRecord w{a.decidedAt, v, a.node, a.fence, newest, WriteRecord::Outcome::Accepted};
    if (result == ProtectedResource::Result::Rejected)
        w.outcome = WriteRecord::Outcome::Rejected;
    else if (result == ProtectedResource::Result::Corrupted)
        w.outcome = WriteRecord::Outcome::Corrupted;
    record(history.writes, w);
}

} // namespace baton
