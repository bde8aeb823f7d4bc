#pragma once
// The lab's side of what travels over Redis: election events as JSON (an agent's stdout, the
// resource's event channel) and the control messages it sends to agents on the control channel.

#include "backend/action.h"
#include "backend/lab_clock.h"

#include <optional>
#include <string>

namespace baton::lab {

/// An election event as it arrives: from an Election callback, an agent's stdout or the
/// resource's event channel.
struct WireEvent {
    std::string id;
    LabTime at{};
    std::string name;
    std::uint64_t fence = 0;
    LabTime deadline{};
    QString leader;
    QString detail;
};

/// An event line (baton/wire/event_message.h), its times in `clock`'s lab time; nullopt for
/// anything else, such as control messages (a release notice reads as event "released").
std::optional<WireEvent> parseWire(const std::string& json, const LabClock& clock);

/// The control message that asks the agent `to` (which obeys only with --allow-control) for
/// `a`: stop, pause (resume: a pause of zero), partition (heal: a partition of zero), new
/// timings or resign; nullopt for what no control message carries.
std::optional<std::string> controlMessage(const Action& a, const std::string& to);

} // namespace baton::lab
