#include "backend/redis_wire.h"

#include <baton/wire/json.h>

#include <stdexcept>

namespace baton::lab {

namespace {

// JSON numbers are doubles: larger fences would not be exact.
constexpr double kMaxExactFence = 9007199254740992.0;

JsonWriter control(const std::string& to, const char* cmd) {
    JsonWriter w;
    w.add("to", to).add("cmd", cmd);
    return w;
}

} // namespace

std::optional<WireEvent> parseWire(const std::string& json, const LabClock& clock) {
    try {
        const JsonObject o = JsonObject::parse(json);
        WireEvent w;
        w.id = o.string("id");
        w.name = o.string("event");
        if (w.id.empty() || w.name.empty())
            return std::nullopt;
        w.at = o.has("t") ? clock.fromUnixMs(o.number("t")) : clock.now();
        const double fence = o.number("fence", 0);
        if (fence >= 0 && fence <= kMaxExactFence)
            w.fence = std::uint64_t(fence);
        if (o.has("deadline"))
            w.deadline = clock.fromUnixMs(o.number("deadline"));
        w.leader = qstr(o.string("leader"));
        if (w.name == "leader-changed")
            w.detail = w.leader.isEmpty() ? QStringLiteral("no leader known")
                                          : QStringLiteral("leader ") + w.leader;
        else if (o.has("reason"))
            w.detail = qstr(o.string("reason"));
        return w;
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

std::string stopMessage(const std::string& to) {
    return control(to, "stop").str();
}

std::string pauseMessage(const std::string& to, Duration length) {
    return control(to, "pause").add("ms", millis(length)).str();
}

std::string partitionMessage(const std::string& to, Duration length) {
    return control(to, "partition").add("ms", millis(length)).str();
}

std::string timingMessage(const std::string& to, const Timing& t) {
    return control(to, "set")
        .add("ttl", millis(t.ttl))
        .add("refresh", millis(t.refreshInterval))
        .add("retry", millis(t.retryInterval))
        .str();
}

} // namespace baton::lab
