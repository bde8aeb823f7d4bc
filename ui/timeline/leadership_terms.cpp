#include "timeline/leadership_terms.h"

#include <algorithm>
#include <optional>

namespace baton::lab {

namespace {

TimePoint toPoint(LabTime t) {
    return TimePoint{} + t;
}

std::optional<TermInput::Kind> inputKind(const LabEvent& event) {
    using Kind = TermInput::Kind;
    if (event.source == LabEvent::Source::Elector) {
        if (event.name == u"elected")
            return Kind::Elected;
        if (event.name == u"extended")
            return Kind::Extended;
        if (event.name == u"revoked")
            return Kind::Revoked;
        if (event.name == u"stopped")
            return Kind::Stopped;
    } else if (event.source == LabEvent::Source::Fault) {
        // A crashed process leads no more, whatever it last believed; a stopped one revokes
        // first, and its "revoked" may be lost with a dying agent.
        if (event.name == u"crash")
            return Kind::Crashed;
        if (event.name == u"stop")
            return Kind::Stopped;
    }
    return std::nullopt;
}

} // namespace

QString termEndName(TermEnd how) {
    return qstr(termEndLabel(how));
}

TermChange toLab(const baton::TermChange& c) {
    TermChange out;
    out.kind = c.kind;
    out.elector = c.elector;
    out.at = c.at - TimePoint{};
    out.begin = c.begin - TimePoint{};
    out.fence = c.fence;
    out.deadline = c.deadline ? *c.deadline - TimePoint{} : LabTime{};
    out.how = c.how;
    out.byElected = c.byElected;
    return out;
}

baton::TermChange toCore(const TermChange& c) {
    baton::TermChange out;
    out.kind = c.kind;
    out.elector = c.elector;
    out.at = toPoint(c.at);
    out.begin = toPoint(c.begin);
    out.fence = c.fence;
    if (c.deadline > LabTime::zero())
        out.deadline = toPoint(c.deadline);
    out.how = c.how;
    out.byElected = c.byElected;
    return out;
}

LabTime TermTracker::add(const LabEvent& event, const Callback& onChange) {
    const auto forward = [&](const baton::TermChange& c) { onChange(toLab(c)); };
    const TimePoint at = std::max(toPoint(event.at), m_core.watermark());
    TermInput in;
    in.kind = inputKind(event).value_or(TermInput::Kind::Other);
    in.elector = event.elector;
    in.at = at;
    in.fence = event.fence;
    // A deadline before its event is bad input; the term then lapses at the next step.
    if (event.deadline > LabTime::zero())
        in.deadline = std::max(toPoint(event.deadline), at);
    return m_core.add(in, forward) - TimePoint{};
}

void TermTracker::advance(const ClusterSnapshot& snapshot, const Callback& onChange) {
    for (const ElectorView& v : snapshot.electors)
        if (v.believesLeader)
            m_core.moveDeadline(v.id, toPoint(v.leaseEnd));
    advanceTo(snapshot.now, onChange);
}

void TermTracker::advanceTo(LabTime now, const Callback& onChange) {
    m_core.advanceTo(toPoint(now), [&](const baton::TermChange& c) { onChange(toLab(c)); });
}

QVector<int> TermTracker::leaders() const {
    const std::vector<int> ids = m_core.leaders();
    return QVector<int>(ids.begin(), ids.end());
}

} // namespace baton::lab
