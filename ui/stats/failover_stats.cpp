#include "stats/failover_stats.h"

#include <baton/base/enum_names.h>

#include <baton/sim/checker.h>
#include <baton/sim/scenario.h>

#include <utility>
#include <vector>

namespace baton::lab {

using namespace Qt::StringLiterals;

namespace {

// The faults whose hit on a leader is a cause of its own; any other (or none) is "other".
constexpr std::pair<FaultKind, FailoverCause> kCauses[] = {
    {FaultKind::Crash, FailoverCause::Crash},
    {FaultKind::Pause, FailoverCause::Pause},
    {FaultKind::Partition, FailoverCause::Partition},
    {FaultKind::Stop, FailoverCause::Stop},
};

FailoverCause causeOf(const std::optional<FaultKind>& kind) {
    for (const auto& [fault, cause] : kCauses)
        if (kind == fault)
            return cause;
    return FailoverCause::Other;
}

} // namespace

QString causeName(FailoverCause cause) {
    static constexpr EnumNames<FailoverCause, failoverCauseCount> kNames{
        {"crash", "pause", "partition", "stop", "other"}};
    return qstr(kNames.name(cause));
}

void FailoverStats::setSnapshot(const ClusterSnapshot& snapshot) {
    m_tracker.advance(snapshot, [this](const TermChange& c) { onTermChange(c); });
    m_now = std::max(m_now, snapshot.now);
    m_storeOps = snapshot.storeOpsPerSecond;
    Q_EMIT changed();
}

void FailoverStats::clear() {
    m_tracker.clear();
    m_failovers.clear();
    m_byCause = {};
    m_all = {};
    m_leaderlessSince.reset();
    m_leaderlessTotal = {};
    m_overlapSince.reset();
    m_overlapTotal = {};
    m_overlapCount = 0;
    m_highestFence.reset();
    m_fenceViolations = 0;
    m_firstFenceViolation.clear();
    m_names.clear();
    m_storeOps = 0;
    m_now = {};
    ++m_revision;
    Q_EMIT changed();
}

void FailoverStats::setLatencyCap(qsizetype cap) {
    m_cap = std::max<qsizetype>(cap, 1);
    auto trim = [this](Ring& r) {
        while (static_cast<qsizetype>(r.values.size()) > m_cap)
            r.values.pop_front();
    };
    for (Ring& r : m_byCause)
        trim(r);
    trim(m_all);
    ++m_revision;
    Q_EMIT changed();
}

LatencySummary FailoverStats::summary(FailoverCause cause) const {
    return summarize(m_byCause[static_cast<std::size_t>(cause)]);
}

LatencySummary FailoverStats::overall() const {
    return summarize(m_all);
}

QVector<Duration> FailoverStats::latencies(FailoverCause cause) const {
    const auto& values = m_byCause[static_cast<std::size_t>(cause)].values;
    return QVector<Duration>(values.begin(), values.end());
}

LabTime FailoverStats::failoverSince() const {
    const auto pending = m_failovers.pending();
    return pending ? pending->since - TimePoint{} : LabTime{};
}

FailoverCause FailoverStats::failoverCause() const {
    const auto pending = m_failovers.pending();
    return pending ? causeOf(pending->cause) : FailoverCause::Other;
}

Duration FailoverStats::timeWithoutLeader() const {
    Duration total = m_leaderlessTotal;
    if (m_leaderlessSince && m_now > *m_leaderlessSince)
        total += m_now - *m_leaderlessSince;
    return total;
}

Duration FailoverStats::overlapTotal() const {
    Duration total = m_overlapTotal;
    if (m_overlapSince && m_now > *m_overlapSince)
        total += m_now - *m_overlapSince;
    return total;
}

void FailoverStats::handle(const LabEvent& event) {
    const auto onChange = [this](const TermChange& c) { onTermChange(c); };
    const LabTime at = std::max(event.at, m_tracker.watermark());
    // Terms that lapsed before the fault come first; then the fault counts as the cause before
    // it ends the leader's term (a "stop" must not look like a revocation nobody caused).
    m_tracker.advanceTo(at, onChange);
    if (event.source == LabEvent::Source::Fault) {
        if (const auto kind = faultKind(event.name.toStdString()))
            m_failovers.fault(StruckFault{*kind, event.elector, TimePoint{} + at, TimePoint{} + at,
                                          event.wasLeader, 0},
                              static_cast<std::size_t>(m_tracker.leaderCount()));
    }
    if (event.elector >= 0 && !event.identity.isEmpty() && event.source != LabEvent::Source::Store)
        m_names.insert(event.elector, event.identity);
    m_tracker.add(event, onChange);
    m_now = std::max(m_now, at);
}

void FailoverStats::onTermChange(const TermChange& c) {
    const qsizetype leaders = m_tracker.leaderCount();
    m_failovers.change(
        toCore(c), static_cast<std::size_t>(leaders),
        [this](const MeasuredFailover& f) { record(causeOf(f.start.cause), f.latency); });
    switch (c.kind) {
    case TermChange::Kind::Began:
        if (m_leaderlessSince) {
            m_leaderlessTotal += c.at - *m_leaderlessSince;
            m_leaderlessSince.reset();
        }
        if (leaders >= 2 && !m_overlapSince) {
            m_overlapSince = c.at;
            ++m_overlapCount;
        }
        checkFence(c);
        break;
    case TermChange::Kind::Extended:
        break;
    case TermChange::Kind::Ended:
        if (leaders == 0 && m_tracker.everElected() && !m_leaderlessSince)
            m_leaderlessSince = c.at;
        if (leaders < 2 && m_overlapSince) {
            m_overlapTotal += c.at - *m_overlapSince;
            m_overlapSince.reset();
        }
        break;
    }
}

// The checker's rule (every term's fence above every earlier term's), on elections only: a term
// the lab joined mid-way (or picked up again after its extend came late) repeats its fence.
void FailoverStats::checkFence(const TermChange& c) {
    if (c.byElected && m_highestFence && c.fence <= *m_highestFence) {
        if (m_fenceViolations++ == 0)
            m_firstFenceViolation =
                QStringLiteral("%1 elected at %2 s with fence %3, not above %4")
                    .arg(m_names.value(c.elector, QStringLiteral("#%1").arg(c.elector)))
                    .arg(formatSeconds(c.at))
                    .arg(c.fence)
                    .arg(*m_highestFence);
    }
    m_highestFence = std::max(m_highestFence.value_or(0), c.fence);
}

void FailoverStats::record(FailoverCause cause, Duration latency) {
    auto push = [this, latency](Ring& r) {
        r.values.push_back(latency);
        ++r.count;
        while (static_cast<qsizetype>(r.values.size()) > m_cap)
            r.values.pop_front();
    };
    push(m_byCause[static_cast<std::size_t>(cause)]);
    push(m_all);
    ++m_revision;
}

LatencySummary FailoverStats::summarize(const Ring& ring) {
    LatencySummary s;
    s.count = ring.count;
    s.kept = static_cast<qsizetype>(ring.values.size());
    if (ring.values.empty())
        return s;
    s.last = ring.values.back();
    const DurationStats stats =
        statsOf(std::vector<Duration>(ring.values.begin(), ring.values.end()));
    s.median = stats.median;
    s.p99 = stats.p99;
    s.max = stats.max;
    return s;
}

} // namespace baton::lab
