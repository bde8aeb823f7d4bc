#pragma once
// The lab's side of what travels over Redis: election events as JSON (an agent's stdout, the
// resource's event channel) and the control messages it sends to agents on the control channel.

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

// Control messages for the agent `to` (which obeys them only with --allow-control).
std::string stopMessage(const std::string& to);
/// Pauses for `length`; zero resumes.
std::string pauseMessage(const std::string& to, Duration length);
/// Cuts it off from the store for `length`; zero heals.
std::string partitionMessage(const std::string& to, Duration length);
/// New ttl, refresh and retry intervals.
std::string timingMessage(const std::string& to, const Timing& t);

} // namespace baton::lab
