#include "simulator_impl.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace baton {

Duration Simulator::Impl::tailedLatency(const Node& n) {
    // Box-Muller from two uniforms; the tail is cut at 5 sigma so that no trip is absurd.
    const double u = 1.0 - network.unit();
    const double z =
        std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * network.unit());
    const double factor = std::exp(latencySigma * std::clamp(z, -5.0, 5.0));
    return n.extra +
           Duration(static_cast<Duration::rep>(static_cast<double>(n.latency.count()) * factor));
}

void Simulator::Impl::send(Node& n, Command cmd, TimePoint v) {
    const Duration timeout = scenario.commandTimeout;
    if (n.partitioned()) {
        Action r = make(ActionKind::Reply, n);
        r.sentAt = v;
        r.answer.kind = cmd.kind;
        if (n.partitionMode == Fault::PartitionMode::Fail) {
            r.answer.error = "store unreachable (partitioned)";
            push(v + oneWay(n), std::move(r));
        } else {
            r.answer.error = "timed out after " + formatDuration(timeout) + " (partitioned)";
            push(v + timeout, std::move(r));
        }
        return;
    }
    const Duration out = oneWay(n);
    const Duration back = oneWay(n);
    Action a = make(ActionKind::Arrive, n);
    a.sentAt = v;
    a.inbound = back;
    if (out + back > timeout) {
        // The caller gives up, but the request is on the wire and the store still acts on it.
        a.answered = false;
        Action r = make(ActionKind::Reply, n);
        r.sentAt = v;
        r.answer.kind = cmd.kind;
        r.answer.error = "timed out after " + formatDuration(timeout);
        push(v + timeout, std::move(r));
    }
    a.command = std::move(cmd);
    push(v + out, std::move(a));
}

void Simulator::Impl::arrive(Action& a, TimePoint v) {
    Node& n = nodes[static_cast<std::size_t>(a.node)];
    ++history.storeCalls[static_cast<std::size_t>(a.node)];
    CallResult answer = execute(locker, n.info.identity, a.command);
    recordStore(v);
    if (!a.answered)
        return;
    Action r;
    r.kind = ActionKind::Reply;
    r.node = a.node;
    r.incarnation = a.incarnation;
    r.sentAt = a.sentAt;
    r.answer = std::move(answer);
    push(v + a.inbound, std::move(r));
}

std::optional<StoreView> Simulator::Impl::lockView(TimePoint v) {
    const auto held = store.inspect(scenario.resource);
    if (!held)
        return std::nullopt;
    const auto it = byIdentity.find(held->identity);
    return StoreView{v, it == byIdentity.end() ? -1 : it->second, held->fence, v + held->remaining};
}

void Simulator::Impl::recordStore(TimePoint v) {
    const StoreView view = lockView(v).value_or(StoreView{v, -1, 0, v});
    if (!history.store.empty()) {
        const StoreView& last = history.store.back();
        if (last.elector == view.elector && last.fence == view.fence &&
            (view.elector < 0 || last.expiresAt == view.expiresAt))
            return;
    }
    history.store.push_back(view);
}

void Simulator::Impl::reply(Action& a, TimePoint v) {
    Node* n = addressee(a);
    if (!n)
        return; // the process that asked is gone
    if (n->partitioned() && !a.answer.error) {
        // The answer is lost in the partition: the caller times out instead.
        a.answer.error =
            "timed out after " + formatDuration(scenario.commandTimeout) + " (partitioned)";
        a.answer.attempt.reset();
        const TimePoint timeoutAt = a.sentAt + scenario.commandTimeout;
        if (timeoutAt > v) {
            push(timeoutAt, std::move(a));
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
    return n.alive && n.incarnation == a.incarnation && n.machine ? &n : nullptr;
}

void Simulator::Impl::deliver(Node& n, Action& a, TimePoint v) {
    if (n.paused()) {
        n.pending.push_back(std::move(a));
        return;
    }
    apply(n, a, v);
    drive(n, v);
}

} // namespace baton
