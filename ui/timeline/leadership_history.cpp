#include "timeline/leadership_history.h"

#include <algorithm>

namespace baton::lab {

namespace {

bool isInstantFault(const QString& name) {
    return name == u"timing" || name == u"drift";
}

/// The faults that the end event `name` ends, or none when it is not an end event.
QVector<QString> faultsEndedBy(const QString& name) {
    // A restarted or started elector is a fresh process: no longer crashed, stopped or paused.
    if (name == u"restart" || name == u"start")
        return {QStringLiteral("crash"), QStringLiteral("stop"), QStringLiteral("pause")};
    if (name == u"resume")
        return {QStringLiteral("pause")};
    if (name == u"heal")
        return {QStringLiteral("partition")};
    return {};
}

template <typename T>
LabTime frontBegin(const SpanSeries<T>& s, LabTime fallback) {
    return s.isEmpty() ? fallback : std::min(fallback, s.front().begin);
}

} // namespace

void LeadershipHistory::setSnapshot(const ClusterSnapshot& snapshot) {
    for (auto& [id, l] : m_lanes)
        l.inSnapshot = false;
    for (const ElectorView& v : snapshot.electors) {
        if (v.id < 0)
            continue;
        Lane& l = lane(v.id);
        if (!v.identity.isEmpty())
            l.identity = v.identity;
        l.inSnapshot = true;
        l.lastSeen = std::max(l.lastSeen, snapshot.now);
    }
    m_tracker.advance(snapshot, [this](const TermChange& c) { onTermChange(c); });
    advanceNow(snapshot.now);
    prune();
    Q_EMIT changed();
}

void LeadershipHistory::clear() {
    m_tracker.clear();
    m_lanes.clear();
    m_cluster = Lane{};
    m_holders.clear();
    m_overlaps.clear();
    m_plannedEnds.clear();
    m_now = {};
    Q_EMIT changed();
}

void LeadershipHistory::setRetention(LabTime retention) {
    m_retention = std::max(retention, LabTime{std::chrono::seconds(1)});
    prune();
    Q_EMIT changed();
}

void LeadershipHistory::setCap(qsizetype cap) {
    m_cap = std::max<qsizetype>(cap, 1);
    prune();
    Q_EMIT changed();
}

LabTime LeadershipHistory::earliest() const {
    LabTime t = m_now;
    for (const auto& [id, l] : m_lanes) {
        t = frontBegin(l.terms, t);
        t = frontBegin(l.faults, t);
        if (!l.ticks.empty())
            t = std::min(t, l.ticks.front());
    }
    t = frontBegin(m_cluster.faults, t);
    t = frontBegin(m_holders, t);
    return frontBegin(m_overlaps, t);
}

QVector<int> LeadershipHistory::electors() const {
    QVector<int> ids;
    ids.reserve(static_cast<qsizetype>(m_lanes.size()));
    for (const auto& [id, l] : m_lanes)
        ids.append(id);
    return ids;
}

QString LeadershipHistory::identity(int elector) const {
    const Lane* l = findLane(elector);
    if (l && !l->identity.isEmpty())
        return l->identity;
    return QStringLiteral("elector %1").arg(elector);
}

QVector<TermItem> LeadershipHistory::terms(int elector, LabTime t0, LabTime t1) const {
    const Lane* l = elector >= 0 ? findLane(elector) : nullptr;
    return l ? l->terms.within(t0, t1, m_now) : QVector<TermItem>{};
}

QVector<FaultItem> LeadershipHistory::faults(int elector, LabTime t0, LabTime t1) const {
    const Lane* l = findLane(elector);
    return l ? l->faults.within(t0, t1, m_now) : QVector<FaultItem>{};
}

QVector<LabTime> LeadershipHistory::extendTicks(int elector, LabTime t0, LabTime t1) const {
    const Lane* l = elector >= 0 ? findLane(elector) : nullptr;
    if (!l || t1 < t0)
        return {};
    const auto first = std::lower_bound(l->ticks.begin(), l->ticks.end(), t0);
    const auto last = std::upper_bound(first, l->ticks.end(), t1);
    return QVector<LabTime>(first, last);
}

QVector<FaultItem> LeadershipHistory::clusterFaults(LabTime t0, LabTime t1) const {
    return m_cluster.faults.within(t0, t1, m_now);
}

QVector<HolderItem> LeadershipHistory::holders(LabTime t0, LabTime t1) const {
    return m_holders.within(t0, t1, m_now);
}

QVector<OverlapItem> LeadershipHistory::overlaps(LabTime t0, LabTime t1) const {
    return m_overlaps.within(t0, t1, m_now);
}

qsizetype LeadershipHistory::itemCount(int elector) const {
    const Lane* l = findLane(elector);
    return l ? l->terms.size() + l->faults.size() + static_cast<qsizetype>(l->ticks.size()) : 0;
}

qsizetype LeadershipHistory::storeItemCount() const {
    return m_holders.size() + m_cluster.faults.size();
}

LeadershipHistory::Lane& LeadershipHistory::lane(int elector) {
    return elector < 0 ? m_cluster : m_lanes[elector];
}

const LeadershipHistory::Lane* LeadershipHistory::findLane(int elector) const {
    if (elector < 0)
        return &m_cluster;
    auto it = m_lanes.find(elector);
    return it == m_lanes.end() ? nullptr : &it->second;
}

void LeadershipHistory::handle(const LabEvent& event) {
    const LabTime at = m_tracker.add(event, [this](const TermChange& c) { onTermChange(c); });
    advanceNow(at);
    if (event.elector >= 0) {
        Lane& l = lane(event.elector);
        if (!event.identity.isEmpty() && event.source != LabEvent::Source::Store)
            l.identity = event.identity;
        l.lastSeen = std::max(l.lastSeen, at);
    }
    if (event.source == LabEvent::Source::Fault)
        handleFault(event, at);
    else if (event.source == LabEvent::Source::Store)
        handleStore(event, at);
}

void LeadershipHistory::onTermChange(const TermChange& c) {
    Lane& l = lane(c.elector);
    switch (c.kind) {
    case TermChange::Kind::Began: {
        TermItem term;
        term.begin = c.at;
        term.fence = c.fence;
        term.deadline = c.deadline;
        l.terms.append(term);
        if (m_tracker.leaderCount() >= 2) {
            OverlapItem* open = m_overlaps.lastItem();
            if (open && open->open) {
                if (!open->electors.contains(c.elector))
                    open->electors.append(c.elector);
            } else {
                OverlapItem overlap;
                overlap.begin = c.at;
                overlap.electors = m_tracker.leaders();
                m_overlaps.append(overlap);
            }
        }
        break;
    }
    case TermChange::Kind::Extended: {
        l.ticks.push_back(c.at);
        TermItem* term = l.terms.lastItem();
        if (term && term->open) {
            term->deadline = c.deadline;
            term->fence = c.fence;
        }
        break;
    }
    case TermChange::Kind::Ended: {
        TermItem* term = l.terms.lastItem();
        if (term && term->open) {
            term->how = c.how;
            l.terms.close(term, c.at);
        }
        OverlapItem* open = m_overlaps.lastItem();
        if (m_tracker.leaderCount() < 2 && open && open->open)
            m_overlaps.close(open, c.at);
        break;
    }
    }
}

void LeadershipHistory::handleFault(const LabEvent& event, LabTime at) {
    const QVector<QString> ended = faultsEndedBy(event.name);
    if (!ended.isEmpty()) {
        for (const QString& kind : ended)
            closeFault(event.elector, kind, at);
        return;
    }
    Lane& l = lane(event.elector);
    FaultItem fault;
    fault.begin = at;
    fault.kind = event.name;
    fault.detail = event.detail;
    if (isInstantFault(event.name)) {
        fault.end = at;
        fault.open = false;
        fault.instant = true;
        l.faults.append(fault);
        return;
    }
    // A second fault of a kind replaces the first (a new latency, a longer pause).
    closeFault(event.elector, event.name, at);
    fault.until = event.until;
    const quint64 serial = l.faults.append(fault);
    l.openFaults[event.name] = serial;
    if (event.until > LabTime::zero()) {
        if (event.until <= at)
            closeFault(event.elector, event.name, at);
        else
            m_plannedEnds.emplace(event.until, PlannedEnd{event.elector, serial});
    }
}

void LeadershipHistory::handleStore(const LabEvent& event, LabTime at) {
    HolderItem* open = m_holders.lastItem();
    if (open && open->open)
        m_holders.close(open, at);
    if (event.name != u"holder")
        return;
    HolderItem holder;
    holder.begin = at;
    holder.elector = event.elector;
    holder.identity = !event.identity.isEmpty() ? event.identity
                      : event.elector >= 0      ? identity(event.elector)
                                                : QString();
    holder.fence = event.fence;
    m_holders.append(holder);
}

void LeadershipHistory::closeFault(int elector, const QString& kind, LabTime at) {
    if (elector >= 0 && m_lanes.find(elector) == m_lanes.end())
        return;
    Lane& l = lane(elector);
    auto it = l.openFaults.find(kind);
    if (it == l.openFaults.end())
        return;
    if (FaultItem* fault = l.faults.find(it->second)) {
        forgetPlannedEnd(*fault);
        l.faults.close(fault, at);
    }
    l.openFaults.erase(it);
}

void LeadershipHistory::forgetPlannedEnd(const FaultItem& fault) {
    if (fault.until <= LabTime::zero())
        return;
    auto [first, last] = m_plannedEnds.equal_range(fault.until);
    for (auto it = first; it != last; ++it) {
        if (it->second.serial == fault.serial) {
            m_plannedEnds.erase(it);
            return;
        }
    }
}

void LeadershipHistory::closePlannedFaults(LabTime now) {
    while (!m_plannedEnds.empty() && m_plannedEnds.begin()->first < now) {
        const auto [until, planned] = *m_plannedEnds.begin();
        m_plannedEnds.erase(m_plannedEnds.begin());
        if (planned.elector >= 0 && m_lanes.find(planned.elector) == m_lanes.end())
            continue;
        Lane& l = lane(planned.elector);
        FaultItem* fault = l.faults.find(planned.serial);
        if (!fault || !fault->open)
            continue;
        auto it = l.openFaults.find(fault->kind);
        if (it != l.openFaults.end() && it->second == planned.serial)
            l.openFaults.erase(it);
        l.faults.close(fault, until);
    }
}

void LeadershipHistory::advanceNow(LabTime t) {
    m_now = std::max(m_now, t);
    closePlannedFaults(m_now);
}

void LeadershipHistory::prune() {
    const LabTime cutoff = m_now > m_retention ? m_now - m_retention : LabTime::min();
    auto pruneLane = [&](Lane& l) {
        l.terms.prune(cutoff, m_cap);
        if (l.faults.prune(cutoff, m_cap) > 0) {
            // An open fault pushed out by the cap cannot be ended any more.
            for (auto it = l.openFaults.begin(); it != l.openFaults.end();)
                it = l.faults.find(it->second) ? std::next(it) : l.openFaults.erase(it);
        }
        while (!l.ticks.empty() &&
               (l.ticks.front() < cutoff || static_cast<qsizetype>(l.ticks.size()) > m_cap))
            l.ticks.pop_front();
    };
    for (auto it = m_lanes.begin(); it != m_lanes.end();) {
        Lane& l = it->second;
        pruneLane(l);
        const bool idle = l.terms.isEmpty() && l.faults.isEmpty() && l.ticks.empty();
        if (idle && !l.inSnapshot && l.lastSeen < cutoff && !m_tracker.leads(it->first))
            it = m_lanes.erase(it);
        else
            ++it;
    }
    pruneLane(m_cluster);
    m_holders.prune(cutoff, m_cap);
    m_overlaps.prune(cutoff, m_cap);
}

} // namespace baton::lab
