#include "baton/sim/terms.h"

#include "baton/base/enum_names.h"

#include <algorithm>
#include <tuple>

namespace baton {

std::string_view termEndLabel(TermEnd how) {
    static constexpr EnumNames<TermEnd, 6> labels{
        {"open", "revoked", "stopped", "crashed", "deadline passed", "elected again"}};
    return labels.name(how);
}

TimePoint TermTracker::add(const TermInput& input, const Callback& onChange) {
    const TimePoint at = std::max(input.at, m_watermark);
    advanceTo(at, onChange);
    m_watermark = at;
    const int id = input.elector;
    if (id < 0)
        return at;
    if (auto it = m_open.find(id); it != m_open.end() && input.kind != TermInput::Kind::Crashed &&
                                   it->second.incarnation != input.incarnation) {
        // The process that led is gone; nothing it said ends its term any more, but its lease
        // (and a crash) still does.
        m_orphans.emplace(id, it->second);
        m_open.erase(it);
    }
    switch (input.kind) {
    case TermInput::Kind::Elected:
        end(id, at, TermEnd::Reelected, onChange);
        m_everElected = true;
        begin(input, at, true, onChange);
        break;
    case TermInput::Kind::Extended: {
        auto it = m_open.find(id);
        if (it != m_open.end() && it->second.deadline && at >= *it->second.deadline) {
            end(id, at, TermEnd::Deadline,
                onChange); // too late: it stopped leading at its deadline
            it = m_open.end();
        }
        if (it != m_open.end())
            extend(it->second, input, at, onChange);
        else if (m_options.joinMidTerm)
            begin(input, at, false, onChange);
        break;
    }
    case TermInput::Kind::Revoked:
        end(id, at, TermEnd::Revoked, onChange);
        break;
    case TermInput::Kind::Stopped:
        end(id, at, TermEnd::Stopped, onChange);
        break;
    case TermInput::Kind::Crashed: {
        end(id, at, TermEnd::Crashed, onChange);
        auto [first, last] = m_orphans.equal_range(id);
        for (auto it = first; it != last;) {
            const Term term = it->second;
            it = m_orphans.erase(it);
            report(id, term, at, TermEnd::Crashed, onChange);
        }
        break;
    }
    case TermInput::Kind::Other:
        break;
    }
    return at;
}

void TermTracker::advanceTo(TimePoint now, const Callback& onChange) {
    // Several terms may lapse at once: they are reported in deadline order.
    std::vector<std::tuple<TimePoint, int, bool>> due; // deadline, elector, orphan
    for (const auto& [id, term] : m_open)
        if (term.deadline && *term.deadline < now)
            due.emplace_back(*term.deadline, id, false);
    for (const auto& [id, term] : m_orphans)
        if (term.deadline && *term.deadline < now)
            due.emplace_back(*term.deadline, id, true);
    std::sort(due.begin(), due.end());
    for (const auto& [deadline, id, orphan] : due) {
        const TimePoint at = std::max(deadline, m_watermark);
        m_watermark = at;
        if (!orphan) {
            end(id, at, TermEnd::Deadline, onChange);
            continue;
        }
        auto [first, last] = m_orphans.equal_range(id);
        // An init-capture: clang 14 cannot capture a structured binding.
        const auto it = std::find_if(first, last, [lapsed = deadline](const auto& entry) {
            return entry.second.deadline == lapsed;
        });
        if (it == last)
            continue;
        const Term term = it->second;
        m_orphans.erase(it);
        report(id, term, at, TermEnd::Deadline, onChange);
    }
}

void TermTracker::finish(TimePoint endAt, const Callback& onChange) {
    advanceTo(endAt, onChange);
    while (!m_orphans.empty()) {
        const auto [id, term] = *m_orphans.begin();
        m_orphans.erase(m_orphans.begin());
        report(id, term, endAt, TermEnd::Open, onChange);
    }
    while (!m_open.empty())
        end(m_open.begin()->first, endAt, TermEnd::Open, onChange);
}

void TermTracker::moveDeadline(int elector, TimePoint deadline) {
    auto it = m_open.find(elector);
    if (it != m_open.end() && it->second.deadline && deadline > *it->second.deadline)
        it->second.deadline = deadline;
}

std::vector<int> TermTracker::leaders() const {
    std::vector<int> ids;
    ids.reserve(m_open.size());
    for (const auto& [id, term] : m_open)
        ids.push_back(id);
    return ids;
}

void TermTracker::clear() {
    m_open.clear();
    m_orphans.clear();
    m_watermark = {};
    m_everElected = false;
}

void TermTracker::begin(const TermInput& input, TimePoint at, bool byElected,
                        const Callback& onChange) {
    const Term term{input.incarnation, input.fence, at, input.deadline};
    m_open[input.elector] = term;
    TermChange c;
    c.kind = TermChange::Kind::Began;
    c.elector = input.elector;
    c.at = at;
    c.begin = at;
    c.fence = term.fence;
    c.deadline = term.deadline;
    c.byElected = byElected;
    onChange(c);
}

void TermTracker::extend(Term& term, const TermInput& input, TimePoint at,
                         const Callback& onChange) {
    if (input.deadline)
        term.deadline = input.deadline;
    if (input.fence != 0)
        term.fence = input.fence;
    TermChange c;
    c.kind = TermChange::Kind::Extended;
    c.elector = input.elector;
    c.at = at;
    c.begin = term.begin;
    c.fence = term.fence;
    c.deadline = term.deadline;
    onChange(c);
}

void TermTracker::end(int elector, TimePoint at, TermEnd how, const Callback& onChange) {
    auto it = m_open.find(elector);
    if (it == m_open.end())
        return;
    const Term term = it->second;
    m_open.erase(it);
    report(elector, term, at, how, onChange);
}

void TermTracker::report(int elector, const Term& term, TimePoint at, TermEnd how,
                         const Callback& onChange) {
    TermChange c;
    c.kind = TermChange::Kind::Ended;
    c.elector = elector;
    c.at = term.deadline ? std::min(at, *term.deadline) : at;
    c.begin = term.begin;
    c.fence = term.fence;
    c.deadline = term.deadline;
    c.how = how;
    onChange(c);
}

namespace {

TermInput inputOf(const ElectorEvent& e, const ElectorInfo& info) {
    TermInput in;
    in.elector = e.elector;
    in.at = e.at;
    in.incarnation = e.incarnation;
    switch (e.event.type) {
    case EventType::Elected:
        in.kind = TermInput::Kind::Elected;
        in.fence = e.event.fence;
        in.deadline = info.toVirtual(e.event.deadline);
        break;
    case EventType::Extended:
        in.kind = TermInput::Kind::Extended;
        in.fence = e.event.fence;
        in.deadline = info.toVirtual(e.event.deadline);
        break;
    case EventType::Revoked:
        in.kind = TermInput::Kind::Revoked;
        break;
    case EventType::Stopped:
        in.kind = TermInput::Kind::Stopped;
        break;
    default:
        break;
    }
    return in;
}

} // namespace

std::vector<LeadershipInterval> leadershipIntervals(const History& h) {
    std::vector<LeadershipInterval> out;
    const auto collect = [&](const TermChange& c) {
        const TimePoint end = std::min(c.at, h.end);
        if (c.kind == TermChange::Kind::Ended && end > c.begin)
            out.push_back(LeadershipInterval{c.elector, c.fence, c.begin, end,
                                             c.at > h.end ? TermEnd::Open : c.how});
    };
    // A crash ends a term as surely as a revocation: the process that led is gone. At equal
    // times a crash comes after the events: they happened before it struck.
    std::vector<const FaultRecord*> crashes;
    for (const FaultRecord& f : h.faults)
        if (f.kind == FaultKind::Crash && f.applied && f.elector >= 0 &&
            static_cast<std::size_t>(f.elector) < h.electors.size())
            crashes.push_back(&f);
    auto crash = crashes.begin();
    TermTracker tracker;
    const auto crashesBefore = [&](TimePoint t, bool inclusive) {
        for (; crash != crashes.end() && ((*crash)->at < t || (inclusive && (*crash)->at == t));
             ++crash)
            tracker.add(TermInput{TermInput::Kind::Crashed, (*crash)->elector, (*crash)->at, 0, 0,
                                  std::nullopt},
                        collect);
    };
    for (const ElectorEvent& e : h.events) {
        const auto index = static_cast<std::size_t>(e.elector);
        if (index >= h.electors.size())
            continue;
        crashesBefore(e.at, false);
        tracker.add(inputOf(e, h.electors[index]), collect);
    }
    crashesBefore(TimePoint::max(), true);
    tracker.finish(h.end, collect);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.elector < b.elector;
    });
    return out;
}

FailoverPolicy FailoverPolicy::live() {
    return FailoverPolicy{
        Blame::NewestFault,
        {FaultKind::Crash, FaultKind::Pause, FaultKind::Partition, FaultKind::Stop},
        true};
}

FailoverPolicy FailoverPolicy::ofHistory() {
    return FailoverPolicy{Blame::FirstOutlasting,
                          {FaultKind::Crash, FaultKind::Stop, FaultKind::Pause,
                           FaultKind::Partition, FaultKind::Latency, FaultKind::Drift},
                          false};
}

void FailoverTracker::fault(const StruckFault& f, std::size_t leaders) {
    if (!m_policy.causes.contains(f.kind))
        return;
    if (m_policy.blame == Blame::FirstOutlasting) {
        // Only the term's end can tell whether the fault cost it.
        if (OpenTerm* term = latestTerm(f.elector))
            term->suspects.push_back(Suspect{blame(f), std::max(f.end, f.at), std::nullopt});
        return;
    }
    // While somebody still leads, an earlier fault has not cost leadership (yet).
    if (f.wasLeader && (m_underway.empty() || leaders > 0))
        m_underway.assign(1, blame(f));
}

void FailoverTracker::change(const TermChange& c, std::size_t leaders, const Callback& onFailover) {
    switch (c.kind) {
    case TermChange::Kind::Began:
        if (c.byElected)
            elected(c, onFailover);
        m_open.push_back(OpenTerm{c.elector, c.begin, c.fence, {}});
        break;
    case TermChange::Kind::Extended:
        for (OpenTerm& term : m_open)
            if (term.elector == c.elector && term.begin == c.begin)
                term.fence = c.fence;
        // The struck leader extended after it: a pause or partition shorter than its lease.
        if (m_policy.blame == Blame::NewestFault && !m_underway.empty() &&
            m_underway.front().elector == c.elector && c.at > m_underway.front().since)
            m_underway.clear();
        break;
    case TermChange::Kind::Ended:
        ended(c, leaders, onFailover);
        break;
    }
}

void FailoverTracker::finish(TimePoint end, const Callback& onFailover) {
    for (const PendingFailover& p : m_underway)
        onFailover(MeasuredFailover{p, -1, end - p.since});
    m_underway.clear();
}

std::optional<PendingFailover> FailoverTracker::pending() const {
    const auto oldest =
        std::min_element(m_underway.begin(), m_underway.end(),
                         [](const auto& a, const auto& b) { return a.since < b.since; });
    if (oldest == m_underway.end())
        return std::nullopt;
    return *oldest;
}

void FailoverTracker::clear() {
    m_open.clear();
    m_underway.clear();
}

PendingFailover FailoverTracker::blame(const StruckFault& f) const {
    PendingFailover p{f.at, f.kind, f.elector, f.id, {}, 0};
    for (const OpenTerm& term : m_open)
        if (term.elector == f.elector) {
            p.termBegin = term.begin;
            p.fence = term.fence;
        }
    return p;
}

void FailoverTracker::elected(const TermChange& c, const Callback& onFailover) {
    for (const PendingFailover& p : m_underway)
        onFailover(MeasuredFailover{p, c.elector, c.at - p.since});
    m_underway.clear();
    // A fault whose term has not ended yet may still turn out to have cost it: this election,
    // the first after it, is then the one that ended the failover (an overlap).
    for (OpenTerm& term : m_open)
        for (Suspect& s : term.suspects)
            if (!s.firstElection)
                s.firstElection = Election{c.elector, c.at};
}

void FailoverTracker::ended(const TermChange& c, std::size_t leaders, const Callback& onFailover) {
    const auto it = std::find_if(m_open.begin(), m_open.end(), [&](const OpenTerm& term) {
        return term.elector == c.elector && term.begin == c.begin;
    });
    std::vector<Suspect> suspects;
    if (it != m_open.end()) {
        suspects = std::move(it->suspects);
        m_open.erase(it);
    }
    const auto outlasting = std::find_if(suspects.begin(), suspects.end(),
                                         [&](const Suspect& s) { return s.end >= c.at; });
    if (outlasting != suspects.end()) {
        PendingFailover p = outlasting->blamed;
        p.termBegin = c.begin;
        p.fence = c.fence;
        if (const auto& e = outlasting->firstElection)
            onFailover(MeasuredFailover{p, e->elector, e->at - p.since});
        else
            m_underway.push_back(p);
        return;
    }
    // A leader gone with nobody else leading and no fault to blame: it lost the lock, its
    // store failed, or it was stopped from outside.
    if (m_policy.blameless && m_underway.empty() && leaders == 0 &&
        (c.how == TermEnd::Revoked || c.how == TermEnd::Deadline || c.how == TermEnd::Stopped))
        m_underway.push_back(PendingFailover{c.at, std::nullopt, -1, 0, {}, 0});
}

FailoverTracker::OpenTerm* FailoverTracker::latestTerm(int elector) {
    for (auto it = m_open.rbegin(); it != m_open.rend(); ++it)
        if (it->elector == elector)
            return &*it;
    return nullptr;
}

} // namespace baton
