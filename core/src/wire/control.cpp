#include "baton/wire/control.h"

#include "json_fields.h"

#include "baton/base/enum_names.h"

#include <array>
#include <cmath>

namespace baton::wire {

using namespace detail;

namespace {

constexpr double kLongestMs = 86'400'000; // 24 h

// A duration in a control message: a number of milliseconds, or a string with a unit.
Duration duration(const Json& o, const char* key) {
    const std::string name = std::string("\"") + key + "\"";
    const auto it = o.find(key);
    if (it == o.end())
        throw FieldError(name + " is missing");
    Duration d{};
    if (it->is_number()) {
        const double ms = it->get<double>();
        if (!(ms >= 0 && ms <= kLongestMs))
            throw FieldError(name + " must be 0 to 86400000 ms (24h)");
        d = it->is_number_float() ? Duration(std::llround(ms * 1e6))
                                  : Duration(std::chrono::milliseconds(it->get<std::int64_t>()));
    } else if (it->is_string()) {
        d = parseDuration(it->get<std::string>()); // std::invalid_argument names the text
    } else {
        throw FieldError(name + " must be milliseconds or a duration like \"2s\"");
    }
    if (d.count() < 0 || d > std::chrono::hours(24))
        throw FieldError(name + " must be between 0 and 24h");
    return d;
}

constexpr EnumNames<ControlCommand, 5> kCommandNames{
    {"set", "stop", "pause", "partition", "resign"}};

// The timings a set message may carry, by key.
constexpr std::array<std::pair<const char*, std::optional<Duration> ControlMessage::*>, 3>
    kTimings = {{{"ttl", &ControlMessage::ttl},
                 {"refresh", &ControlMessage::refresh},
                 {"retry", &ControlMessage::retry}}};

// Whole milliseconds as an integer (what the lab always sent), anything finer as a fraction.
OrderedJson millis(Duration d) {
    if (d % std::chrono::milliseconds(1) == Duration::zero())
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return std::chrono::duration<double, std::milli>(d).count();
}

ControlHeader header(const Json& o) {
    ControlHeader h;
    h.to = string(o, "to", "*");
    h.cmd = string(o, "cmd");
    return h;
}

} // namespace

std::string_view commandName(ControlCommand c) {
    return kCommandNames.name(c);
}

bool ControlHeader::isFor(const std::string& id) const {
    return to == "*" || to == "all" || to == id;
}

ControlMessage ControlMessage::stop(std::string to) {
    ControlMessage m;
    m.to = std::move(to);
    return m;
}

ControlMessage ControlMessage::pause(std::string to, Duration length) {
    ControlMessage m = stop(std::move(to));
    m.command = ControlCommand::Pause;
    m.length = length;
    return m;
}

ControlMessage ControlMessage::partition(std::string to, Duration length) {
    ControlMessage m = pause(std::move(to), length);
    m.command = ControlCommand::Partition;
    return m;
}

ControlMessage ControlMessage::resign(std::string to, Duration holdOff) {
    ControlMessage m = pause(std::move(to), holdOff);
    m.command = ControlCommand::Resign;
    return m;
}

ControlMessage ControlMessage::set(std::string to, const Timing& timing) {
    ControlMessage m = stop(std::move(to));
    m.command = ControlCommand::Set;
    m.ttl = timing.ttl;
    m.refresh = timing.refreshInterval;
    m.retry = timing.retryInterval;
    return m;
}

std::string encode(const ControlMessage& m) {
    OrderedJson o{{"to", m.to}, {"cmd", commandName(m.command)}};
    switch (m.command) {
    case ControlCommand::Set:
        for (const auto& [key, field] : kTimings)
            if (m.*field)
                o[key] = millis(*(m.*field));
        break;
    case ControlCommand::Pause:
    case ControlCommand::Partition:
        o["ms"] = millis(m.length);
        break;
    case ControlCommand::Resign:
        if (m.length > Duration::zero())
            o["ms"] = millis(m.length);
        break;
    case ControlCommand::Stop:
        break;
    }
    return dump(o);
}

Decoded<ControlHeader> decodeControlHeader(std::string_view text) {
    return decodeWith<ControlHeader>("", [&] { return header(parseObject(text)); });
}

Decoded<ControlMessage> decodeControl(std::string_view text) {
    return decodeWith<ControlMessage>("", [&] {
        const Json o = parseObject(text);
        const ControlHeader h = header(o);
        const auto c = kCommandNames.find(h.cmd);
        if (!c)
            throw FieldError("unknown cmd '" + h.cmd + "' (set, stop, pause, partition, resign)");
        ControlMessage m;
        m.to = h.to;
        m.command = *c;
        if (m.command == ControlCommand::Set) {
            for (const auto& [key, field] : kTimings)
                if (o.contains(key))
                    m.*field = duration(o, key);
        } else if (m.command == ControlCommand::Resign) {
            if (o.contains("ms"))
                m.length = duration(o, "ms");
        } else if (m.command != ControlCommand::Stop) {
            m.length = duration(o, "ms");
        }
        return m;
    });
}

} // namespace baton::wire
