#include "backend/redis_wire.h"

#include <baton/wire/control.h>
#include <baton/wire/event_message.h>

namespace baton::lab {

std::optional<WireEvent> parseWire(const std::string& json, const LabClock& clock) {
    const auto m = wire::decodeEvent(json);
    if (!m)
        return std::nullopt;
    WireEvent w;
    w.id = m->id;
    w.name = m->event;
    w.at = m->t ? clock.fromUnixMs(*m->t) : clock.now();
    w.fence = m->fence.value_or(0);
    if (m->deadline)
        w.deadline = clock.fromUnixMs(*m->deadline);
    w.leader = qstr(m->leader.value_or(std::string()));
    if (w.name == "leader-changed")
        w.detail = w.leader.isEmpty() ? QStringLiteral("no leader known")
                                      : QStringLiteral("leader ") + w.leader;
    else if (m->reason)
        w.detail = qstr(*m->reason);
    return w;
}

std::optional<std::string> controlMessage(const Action& a, const std::string& to) {
    using wire::ControlMessage;
    switch (a.kind) {
    case Action::Kind::Stop:
        return wire::encode(ControlMessage::stop(to));
    case Action::Kind::Pause:
    case Action::Kind::Resume:
        return wire::encode(
            ControlMessage::pause(to, a.kind == Action::Kind::Pause ? a.duration : Duration{}));
    case Action::Kind::Partition:
    case Action::Kind::Heal:
        return wire::encode(ControlMessage::partition(
            to, a.kind == Action::Kind::Partition ? a.duration : Duration{}));
    case Action::Kind::Timing:
        return wire::encode(ControlMessage::set(to, a.timing));
    case Action::Kind::ResignLeader:
        return wire::encode(ControlMessage::resign(to)); // the hold-off: the agent's ttl
    default:
        return std::nullopt;
    }
}

} // namespace baton::lab
