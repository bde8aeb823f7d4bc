#include "timeline/leadership_terms.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace baton::lab {

QString termEndName(TermEnd how) {
    switch (how) {
    case TermEnd::Open:
        return QStringLiteral("open");
    case TermEnd::Revoked:
        return QStringLiteral("revoked");
    case TermEnd::Stopped:
        return QStringLiteral("stopped");
    case TermEnd::Crashed:
        return QStringLiteral("crashed");
    case TermEnd::Deadline:
        return QStringLiteral("deadline passed");
    case TermEnd::Reelected:
        return QStringLiteral("elected again");
    }
    return {};
}

LabTime TermTracker::add(const LabEvent& event, const Callback& onChange) {
    const LabTime at = std::max(event.at, m_watermark);
    advanceTo(at, onChange);
    m_watermark = at;
    const int id = event.elector;
    if (id < 0)
        return at;

    if (event.source == LabEvent::Source::Elector) {
        const QString& name = event.name;
        if (name == u"elected") {
            if (leads(id))
                end(id, at, TermEnd::Reelected, onChange);
            m_everElected = true;
            begin(id, at, event.fence, event.deadline, true, onChange);
        } else if (name == u"extended") {
            auto it = m_open.find(id);
            if (it == m_open.end()) {
                begin(id, at, event.fence, event.deadline, false, onChange);
            } else {
                if (event.deadline > LabTime::zero())
                    it->second.deadline = std::max(event.deadline, at);
                if (event.fence != 0)
                    it->second.fence = event.fence;
                TermChange c;
                c.kind = TermChange::Kind::Extended;
                c.elector = id;
                c.at = at;
                c.begin = it->second.begin;
                c.fence = it->second.fence;
                c.deadline = it->second.deadline;
                onChange(c);
            }
        } else if (name == u"revoked") {
            end(id, at, TermEnd::Revoked, onChange);
        } else if (name == u"stopped") {
            end(id, at, TermEnd::Stopped, onChange);
        }
    } else if (event.source == LabEvent::Source::Fault) {
        // A crashed process leads no more, whatever it last believed; a stopped one revokes
        // first, and its "revoked" may be lost with a dying agent.
        if (event.name == u"crash")
            end(id, at, TermEnd::Crashed, onChange);
        else if (event.name == u"stop")
            end(id, at, TermEnd::Stopped, onChange);
    }
    return at;
}

void TermTracker::advance(const ClusterSnapshot& snapshot, const Callback& onChange) {
    for (const ElectorView& v : snapshot.electors) {
        auto it = m_open.find(v.id);
        if (it != m_open.end() && v.believesLeader && it->second.deadline > LabTime::zero() &&
            v.leaseEnd > it->second.deadline)
            it->second.deadline = v.leaseEnd;
    }
    advanceTo(snapshot.now, onChange);
}

void TermTracker::advanceTo(LabTime now, const Callback& onChange) {
    std::vector<std::pair<LabTime, int>> due;
    for (const auto& [id, term] : m_open)
        if (term.deadline > LabTime::zero() && term.deadline < now)
            due.emplace_back(term.deadline, id);
    // Several terms may lapse at once: report them in time order.
    std::sort(due.begin(), due.end());
    for (const auto& [deadline, id] : due) {
        const LabTime at = std::max(deadline, m_watermark);
        m_watermark = at;
        end(id, at, TermEnd::Deadline, onChange);
    }
}

QVector<int> TermTracker::leaders() const {
    QVector<int> ids;
    ids.reserve(static_cast<qsizetype>(m_open.size()));
    for (const auto& [id, term] : m_open)
        ids.append(id);
    return ids;
}

void TermTracker::clear() {
    m_open.clear();
    m_watermark = {};
    m_everElected = false;
}

void TermTracker::begin(int elector, LabTime at, quint64 fence, LabTime deadline, bool byElected,
                        const Callback& onChange) {
    // A deadline before the term began is bad input; the term then lapses at the next step.
    if (deadline > LabTime::zero())
        deadline = std::max(deadline, at);
    m_open[elector] = OpenTerm{at, fence, deadline};
    TermChange c;
    c.kind = TermChange::Kind::Began;
    c.elector = elector;
    c.at = at;
    c.begin = at;
    c.fence = fence;
    c.deadline = deadline;
    c.byElected = byElected;
    onChange(c);
}

void TermTracker::end(int elector, LabTime at, TermEnd how, const Callback& onChange) {
    auto it = m_open.find(elector);
    if (it == m_open.end())
        return;
    const OpenTerm term = it->second;
    m_open.erase(it);
    TermChange c;
    c.kind = TermChange::Kind::Ended;
    c.elector = elector;
    c.at = term.deadline > LabTime::zero() ? std::min(at, term.deadline) : at;
    c.begin = term.begin;
    c.fence = term.fence;
    c.deadline = term.deadline;
    c.how = how;
    onChange(c);
}

} // namespace baton::lab
