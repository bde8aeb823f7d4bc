#include "render.h"

#include <baton/base/text.h>

#include <cstdio>

namespace ctl {

using nlohmann::json;

namespace {

json msOrNull(const std::optional<baton::Duration>& d) {
    if (!d)
        return nullptr;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
}

std::int64_t wholeMs(baton::Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// A duration for people: 850ms, 4.2s, 3m12s, 2h05m.
std::string human(double ms) {
    char text[32];
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        std::snprintf(text, sizeof text, "%.0fms", ms);
    else if (ms < 60'000)
        std::snprintf(text, sizeof text, "%.1fs", ms / 1000);
    else if (ms < 3'600'000)
        std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(ms / 60'000),
                      static_cast<int>(ms / 1000) % 60);
    else
        std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(ms / 3'600'000),
                      static_cast<int>(ms / 60'000) % 60);
    return text;
}

std::string pad(std::string text, std::size_t width) {
    if (text.size() < width)
        text.append(width - text.size(), ' ');
    return text;
}

} // namespace

json toJson(const baton::MemberInfo& m) {
    return json{{"id", m.id},
                {"state", m.state},
                {"fence", m.fence},
                {"leader", m.leader},
                {"ttlMs", wholeMs(m.ttl)},
                {"refreshMs", wholeMs(m.refresh)},
                {"retryMs", wholeMs(m.retry)},
                {"pollingOnly", m.pollingOnly},
                {"control", m.control},
                {"host", m.host},
                {"pid", m.pid},
                {"seenMs", m.seenMs},
                {"termStartMs", m.termStartMs > 0 ? json(m.termStartMs) : json(nullptr)},
                {"expiresMs", m.expiresMs > 0 ? json(m.expiresMs) : json(nullptr)}};
}

json toJson(const baton::ResourceInfo& r) {
    json members = json::array();
    for (const auto& m : r.members)
        members.push_back(toJson(m));
    return json{{"name", r.name},
                {"key", r.key},
                {"foreign", r.foreign},
                {"holder", r.held() ? json(r.holder) : json(nullptr)},
                {"fence", r.fence},
                {"ttlMs", msOrNull(r.ttl)},
                {"termStartMs", r.termStartMs ? json(*r.termStartMs) : json(nullptr)},
                {"members", members},
                {"expiredMembers", r.expiredMembers},
                {"state", stateOf(r)},
                {"error", r.error.empty() ? json(nullptr) : json(r.error)}};
}

std::string jsonLine(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string stateOf(const baton::ResourceInfo& r) {
    if (!r.error.empty())
        return "bad data";
    if (r.expiredMembers > 0)
        return "stale presence";
    if (r.foreign)
        return r.held() ? "held" : "free";
    return r.held() ? "led" : "no leader";
}

std::string table(const std::vector<baton::ResourceInfo>& resources, double nowMs) {
    std::string out = pad("RESOURCE", 24) + pad("HOLDER", 24) + pad("FENCE", 18) + pad("TTL", 9) +
                      pad("MEMBERS", 8) + pad("TERM", 9) + "STATE\n";
    for (const auto& r : resources) {
        out += pad(baton::visible(r.name, 64), 23) + ' ';
        out += pad(r.held() ? baton::visible(r.holder, 64) : "-", 23) + ' ';
        out += pad(r.fence ? std::to_string(r.fence) : "-", 17) + ' ';
        out += pad(r.ttl ? human(static_cast<double>(wholeMs(*r.ttl))) : "-", 8) + ' ';
        out += pad(r.foreign ? "-" : std::to_string(r.members.size()), 7) + ' ';
        out += pad(r.termStartMs ? human(nowMs - *r.termStartMs) : "-", 8) + ' ';
        out += stateOf(r) + (r.foreign ? " (foreign)" : "");
        if (!r.error.empty())
            out += ": " + baton::visible(r.error, 300);
        out += '\n';
    }
    return out;
}

std::string statusText(const baton::ResourceInfo& r, double nowMs) {
    std::string out =
        "resource  " + baton::visible(r.name, 256) + "  (" + baton::visible(r.key, 300) + ")\n";
    out += "state     " + stateOf(r) + "\n";
    if (r.held()) {
        out += "holder    " + baton::visible(r.holder, 256) + "\n";
        out += "fence     " + std::to_string(r.fence) + "\n";
        out += "ttl       " + (r.ttl ? human(static_cast<double>(wholeMs(*r.ttl))) : "none") + "\n";
        if (r.termStartMs)
            out += "term      " + human(nowMs - *r.termStartMs) + "\n";
    }
    if (!r.error.empty())
        out += "error     " + baton::visible(r.error, 2000) + "\n";
    out += "members   " + std::to_string(r.members.size()) +
           (r.expiredMembers ? " (and " + std::to_string(r.expiredMembers) + " expired)" : "") +
           "\n";
    for (const auto& m : r.members)
        out +=
            "  " + pad(baton::visible(m.id, 64), 22) + ' ' + pad(m.state, 12) + " ttl " +
            human(static_cast<double>(wholeMs(m.ttl))) + ", refresh " +
            human(static_cast<double>(wholeMs(m.refresh))) + ", retry " +
            human(static_cast<double>(wholeMs(m.retry))) + (m.pollingOnly ? ", polling-only" : "") +
            (m.control ? ", control allowed" : ", no control") + ", " + baton::visible(m.host, 64) +
            " pid " + std::to_string(m.pid) + ", seen " + human(nowMs - m.seenMs) + " ago\n";
    return out;
}

} // namespace ctl
