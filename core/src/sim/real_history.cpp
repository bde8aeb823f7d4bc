#include "baton/sim/real_history.h"

#include "baton/base/text.h"
#include "baton/wire/event_message.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace baton {

namespace {

constexpr std::size_t kMaxProblems = 20;

std::optional<EventType> typeOf(std::string_view name) {
    for (EventType t :
         {EventType::Started, EventType::Elected, EventType::Extended, EventType::ExtendFailed,
          EventType::Revoked, EventType::LeaderChanged, EventType::Stopped, EventType::Error})
        if (eventName(t) == name)
            return t;
    return std::nullopt;
}

RevokeReason reasonOf(const std::optional<std::string>& name) {
    for (RevokeReason r :
         {RevokeReason::Lost, RevokeReason::Expired, RevokeReason::Stopped, RevokeReason::Error})
        if (name && reasonName(r) == *name)
            return r;
    return RevokeReason::None;
}

} // namespace

TimePoint fromUnixMs(double ms) {
    // Whole milliseconds apart: a double of today's Unix nanoseconds would keep only 256 ns
    // steps.
    const double whole = std::floor(ms);
    return TimePoint(
        Duration(static_cast<std::int64_t>(whole) * 1'000'000 + std::llround((ms - whole) * 1e6)));
}

double toUnixMs(TimePoint t) {
    return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

RealHistory::RealHistory(std::string resource)
    : m_resource(std::move(resource)) {}

int RealHistory::elector(const std::string& identity) {
    const auto [it, added] = m_index.emplace(identity, int(m_identities.size()));
    if (added)
        m_identities.push_back(identity);
    return it->second;
}

bool RealHistory::addLine(std::uint64_t incarnation, std::string_view line) {
    ++m_lines;
    const auto m = wire::decodeEvent(line);
    std::string why;
    if (!m)
        why = m.error();
    else if (!m->t || !std::isfinite(*m->t))
        why = "no time (t)";
    if (!why.empty()) {
        if (m_problems.size() < kMaxProblems)
            m_problems.push_back("line " + std::to_string(m_lines) + ": " + why + ": " +
                                 visible(std::string(line), 120));
        ++m_badLines;
        return false;
    }
    const auto type = typeOf(m->event);
    if (m->resource != m_resource || !type)
        return true; // another resource, a release notice, an event of a newer agent
    ElectorEvent e;
    e.at = fromUnixMs(*m->t);
    e.elector = elector(m->id);
    e.incarnation = incarnation;
    e.event.type = *type;
    e.event.at = e.at;
    e.event.fence = m->fence.value_or(0);
    // An election with no deadline known never lapses by itself (only its end says it ended).
    e.event.deadline = m->deadline ? fromUnixMs(*m->deadline) : TimePoint::max();
    e.event.leader = m->leader.value_or("");
    e.event.reason = reasonOf(m->reason);
    if (*type == EventType::Error || *type == EventType::ExtendFailed)
        e.event.message = m->reason.value_or("");
    m_events.push_back(std::move(e));
    return true;
}

void RealHistory::addFault(const std::string& identity, FaultKind kind, double atMs, double endMs,
                           bool wasLeader, std::string detail) {
    FaultRecord f;
    f.at = fromUnixMs(atMs);
    f.end = fromUnixMs(std::max(atMs, endMs));
    f.elector = elector(identity);
    f.kind = kind;
    f.wasLeader = wasLeader;
    f.detail = std::move(detail);
    m_faults.push_back(std::move(f));
}

std::vector<std::string> RealHistory::identities() const {
    return m_identities;
}

History RealHistory::history(double startMs, double endMs) const {
    History h;
    h.resource = m_resource;
    h.start = fromUnixMs(startMs);
    h.end = fromUnixMs(std::max(startMs, endMs));
    // Deadlines are true times already: every clock is the checker's (rate 1, no offset).
    for (const std::string& id : m_identities)
        h.electors.push_back(ElectorInfo{id, 1.0, h.start, h.start});
    h.events = m_events;
    // Lines of several processes arrive interleaved; each process's own stay in their order.
    std::stable_sort(h.events.begin(), h.events.end(),
                     [](const ElectorEvent& a, const ElectorEvent& b) { return a.at < b.at; });
    h.faults = m_faults;
    std::stable_sort(h.faults.begin(), h.faults.end(),
                     [](const FaultRecord& a, const FaultRecord& b) { return a.at < b.at; });
    return h;
}

Report RealHistory::check(double startMs, double endMs) const {
    return baton::check(history(startMs, endMs));
}

} // namespace baton
