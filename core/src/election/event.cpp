#include "baton/election/event.h"

#include "baton/base/enum_names.h"

namespace baton {

namespace {

constexpr EnumNames<EventType, 8> kEventNames{{"started", "elected", "extended", "extend-failed",
                                               "revoked", "leader-changed", "stopped", "error"}};
constexpr EnumNames<RevokeReason, 5> kReasonNames{{"", "lost", "expired", "stopped", "error"}};

} // namespace

std::string_view eventName(EventType type) {
    return kEventNames.name(type);
}

std::string_view reasonName(RevokeReason reason) {
    return kReasonNames.name(reason);
}

} // namespace baton
