#pragma once
// Runs a Config's callbacks for the events of one step (used by Election and Campaigner, each
// on its own thread, never under its mutex).

#include "baton/election/config.h"
#include "baton/election/event.h"

#include <vector>

namespace baton {

inline void deliverEvents(const Config& config, const std::vector<Event>& events) {
    for (const Event& e : events) {
        try {
            if (e.type == EventType::Elected && config.onElected)
                config.onElected();
            else if (e.type == EventType::Revoked && config.onRevoked)
                config.onRevoked();
            else if (e.type == EventType::LeaderChanged && config.onLeaderChanged)
                config.onLeaderChanged(e.leader, e.fence);
            if (config.onEvent)
                config.onEvent(e);
        } catch (...) {
            // A throwing callback must not end the election; the event stream goes on.
        }
    }
}

} // namespace baton
