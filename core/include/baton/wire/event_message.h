#pragma once
// An election event as JSON: one line on the agent's stdout, one message on baton:{R}:events.
// Fields: t (Unix ms), id, resource, event, and leader / fence / deadline / reason where they
// apply.

#include "baton/base/clock.h"
#include "baton/election/event.h"
#include "baton/wire/decoded.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace baton::wire {

struct EventMessage {
    std::optional<double> t; ///< Unix time in ms (fractional)
    std::string id;          ///< the elector's identity
    std::string resource;
    std::string event; ///< eventName(); any name is read, for events a newer agent adds
    std::optional<std::string> leader;
    std::optional<std::uint64_t> fence;
    std::optional<double> deadline; ///< Unix ms of the self-fencing deadline
    std::optional<std::string> reason;
    bool operator==(const EventMessage&) const = default;
};

/// The message for `e` of elector `id` on `resource`, its times read on `clock`.
EventMessage eventMessage(const Event& e, const std::string& id, const std::string& resource,
                          const Clock& clock = SteadyClock::instance());

std::string encode(const EventMessage& message);
/// Needs a non-empty id and event. A release notice decodes too, as event "released".
Decoded<EventMessage> decodeEvent(std::string_view text);

} // namespace baton::wire
