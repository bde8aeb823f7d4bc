#include "baton/election/event.h"

#include <array>

namespace baton {

namespace {

constexpr std::array<std::string_view, 8> kEventNames = {
    "started", "elected",        "extended", "extend-failed",
    "revoked", "leader-changed", "stopped",  "error",
};
constexpr std::array<std::string_view, 5> kReasonNames = {"", "lost", "expired", "stopped",
                                                          "error"};

template <class Table, class Enum>
std::string_view nameIn(const Table& table, Enum value, std::string_view fallback) {
    const auto i = static_cast<std::size_t>(value);
    return i < table.size() ? table[i] : fallback;
}

} // namespace

std::string_view eventName(EventType type) {
    return nameIn(kEventNames, type, "unknown");
}

std::string_view reasonName(RevokeReason reason) {
    return nameIn(kReasonNames, reason, "");
}

} // namespace baton
