#include "baton/wire/event_message.h"

#include "json_fields.h"

namespace baton::wire {

using namespace detail;

namespace {

constexpr double kLatestUnixMs = 1e16; // year 318857: beyond it a time is garbage

} // namespace

EventMessage eventMessage(const Event& e, const std::string& id, const std::string& resource,
                          const Clock& clock) {
    EventMessage m;
    m.t = unixMs(e.at, clock);
    m.id = id;
    m.resource = resource;
    m.event = std::string(eventName(e.type));
    switch (e.type) {
    case EventType::Elected:
    case EventType::Extended:
        m.fence = e.fence;
        m.deadline = unixMs(e.deadline, clock);
        break;
    case EventType::Revoked:
        m.fence = e.fence;
        m.reason = std::string(reasonName(e.reason));
        break;
    case EventType::LeaderChanged:
        m.leader = e.leader;
        m.fence = e.fence;
        break;
    case EventType::ExtendFailed:
    case EventType::Error:
        m.reason = e.message;
        break;
    default:
        break;
    }
    return m;
}

std::string encode(const EventMessage& m) {
    OrderedJson o = OrderedJson::object();
    if (m.t)
        o["t"] = *m.t;
    o["id"] = m.id;
    o["resource"] = m.resource;
    o["event"] = m.event;
    if (m.leader)
        o["leader"] = *m.leader;
    if (m.fence)
        o["fence"] = *m.fence;
    if (m.deadline)
        o["deadline"] = *m.deadline;
    if (m.reason)
        o["reason"] = *m.reason;
    return dump(o);
}

Decoded<EventMessage> decodeEvent(std::string_view text) {
    return decodeWith<EventMessage>("not an election event", [&] {
        const Json o = parseObject(text);
        EventMessage m;
        m.id = string(o, "id");
        m.event = string(o, "event");
        if (m.id.empty() || m.event.empty())
            throw FieldError("needs a non-empty \"id\" and \"event\"");
        m.resource = string(o, "resource");
        if (has(o, "t"))
            m.t = number(o, "t", 0, kLatestUnixMs);
        if (has(o, "leader"))
            m.leader = string(o, "leader");
        if (has(o, "fence"))
            m.fence = whole(o, "fence");
        if (has(o, "deadline"))
            m.deadline = number(o, "deadline", 0, kLatestUnixMs);
        if (has(o, "reason"))
            m.reason = string(o, "reason");
        return m;
    });
}

} // namespace baton::wire
