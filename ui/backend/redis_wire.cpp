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

std::string stopMessage(const std::string& to) {
    return wire::encode(wire::ControlMessage::stop(to));
}

std::string pauseMessage(const std::string& to, Duration length) {
    return wire::encode(wire::ControlMessage::pause(to, length));
}

std::string partitionMessage(const std::string& to, Duration length) {
    return wire::encode(wire::ControlMessage::partition(to, length));
}

std::string timingMessage(const std::string& to, const Timing& t) {
    return wire::encode(wire::ControlMessage::set(to, t));
}

} // namespace baton::lab
