#include "baton/election/event.h"

namespace baton {

std::string_view eventName(EventType type) {
    switch (type) {
    case EventType::Started:
        return "started";
    case EventType::Elected:
        return "elected";
    case EventType::Extended:
        return "extended";
    case EventType::ExtendFailed:
        return "extend-failed";
    case EventType::Revoked:
        return "revoked";
    case EventType::LeaderChanged:
        return "leader-changed";
    case EventType::Stopped:
        return "stopped";
    case EventType::Error:
        return "error";
    }
    return "unknown";
}

std::string_view reasonName(RevokeReason reason) {
    switch (reason) {
    case RevokeReason::None:
        return "";
    case RevokeReason::Lost:
        return "lost";
    case RevokeReason::Expired:
        return "expired";
    case RevokeReason::Stopped:
        return "stopped";
    case RevokeReason::Error:
        return "error";
    }
    return "";
}

} // namespace baton
