// The agent's metrics, health and failover time: what /metrics and /healthz answer.

#include "agent.h"

#include <baton/base/text.h>

#include <algorithm>

namespace agent {

using namespace std::chrono_literals;

namespace {

double seconds(baton::Duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

void Agent::noteFailover(const baton::Event& e) {
    using baton::EventType;
    const bool endSeen =
        e.type == EventType::Revoked || (e.type == EventType::LeaderChanged && e.leader.empty());
    if (endSeen) {
        if (m_knownFence != 0 && !m_lostSight)
            m_lostSight = e.at;
        return;
    }
    if (e.type != EventType::LeaderChanged || e.fence == m_knownFence)
        return;
    // A term followed straight by another (a crashed leader's lock expired and was taken): the
    // old term ended, as seen here, when the lease this elector last saw it hold ran out.
    std::optional<baton::TimePoint> from = m_lostSight;
    if (!from)
        from = m_timed->leaseEndOf(m_knownFence);
    if (m_knownFence != 0 && from)
        m_failover.observe(std::max(baton::Duration::zero(), e.at - *from));
    m_knownFence = e.fence;
    m_lostSight.reset();
}

Health Agent::health() const {
    if (!m_election || !m_election->running())
        return {false, "the election is not running"};
    const TimedStore::LastCall last = m_timed->lastCall();
    if (last.at == baton::TimePoint{})
        return {false, "no store call has finished yet"};
    if (last.error)
        return {false, "the last store call failed: " + baton::visible(*last.error, 400)};
    // A follower under a healthy leader calls the store about once a TTL, at most a retry
    // interval apart: twice the longer of the two, and a second, is "recently".
    const baton::Timing t = m_election->timing();
    const baton::Duration since = m_clock.now() - last.at;
    if (since > 2 * std::max(t.ttl, t.retryInterval) + 1s)
        return {false, "no store call for " + baton::formatDuration(since)};
    return {true, {}};
}

std::string Agent::metrics() const {
    const baton::StoreCounters c = m_faults->counters();
    const std::string labels =
        "resource=" + prom::labelValue(m_options.resource) + ",id=" + prom::labelValue(m_id);
    const bool leader = m_election->isLeader();
    std::ostringstream out;
    out.precision(9);
    prom::family(out, "baton_build_info", "gauge", "Always 1; the agent's version as a label.");
    out << "baton_build_info{version=" << prom::labelValue(BATON_VERSION) << "} 1\n";
    prom::family(out, "baton_is_leader", "gauge",
                 "1 while this elector leads (before its self-fencing deadline), else 0; shaped "
                 "like client-go's leader_election_master_status.");
    out << "baton_is_leader{" << labels << "} " << (leader ? 1 : 0) << '\n';
    prom::family(out, "baton_lease_ttl_seconds", "gauge", "The lock's time to live.");
    out << "baton_lease_ttl_seconds{" << labels << "} " << seconds(m_election->timing().ttl)
        << '\n';
    prom::family(out, "baton_election_attempts_total", "counter", "Acquire attempts by outcome.");
    out << "baton_election_attempts_total{" << labels << ",status=\"won\"} " << c.acquireWon
        << "\nbaton_election_attempts_total{" << labels << ",status=\"lost\"} " << c.acquireLost
        << "\nbaton_election_attempts_total{" << labels << ",status=\"error\"} " << c.acquireErrors
        << '\n';
    prom::family(out, "baton_leadership_changes_total", "counter", "Terms begun and ended here.");
    out << "baton_leadership_changes_total{" << labels << ",change=\"elected\"} " << m_elected
        << "\nbaton_leadership_changes_total{" << labels << ",change=\"revoked\"} " << m_revoked
        << '\n';
    prom::family(out, "baton_errors_total", "counter", "Failed store calls by operation.");
    out << "baton_errors_total{" << labels << ",operation=\"acquire\"} " << c.acquireErrors
        << "\nbaton_errors_total{" << labels << ",operation=\"extend\"} " << c.extendErrors
        << "\nbaton_errors_total{" << labels << ",operation=\"release\"} " << c.releaseErrors
        << "\nbaton_errors_total{" << labels << ",operation=\"presence\"} " << m_presenceErrors
        << '\n';
    prom::family(out, "baton_extends_total", "counter", "Extend calls by outcome.");
    out << "baton_extends_total{" << labels << ",status=\"ok\"} " << c.extendOk
        << "\nbaton_extends_total{" << labels << ",status=\"lost\"} " << c.extendLost << '\n';
    m_timed->write(out, labels);
    prom::family(out, "baton_failover_seconds", "histogram",
                 "Failover as this elector saw it: from losing sight of a leader (its revocation "
                 "here, its release notice, or the end of the lease this elector last saw it "
                 "hold) to seeing a new term begin. A crashed leader's lock stays held until its "
                 "TTL runs out: that part is not in here.");
    m_failover.write(out, "baton_failover_seconds", labels);
    // A follower has no fence and no lease of its own: no sample rather than a made-up 0.
    const baton::Duration left = m_election->deadline() - m_clock.now();
    prom::family(out, "baton_fence", "gauge", "Fence of the current term, on the leader only.");
    if (leader)
        out << "baton_fence{" << labels << "} " << m_election->fence() << '\n';
    prom::family(out, "baton_lease_remaining_seconds", "gauge",
                 "Time to the leader's self-fencing deadline, on the leader only.");
    if (leader)
        out << "baton_lease_remaining_seconds{" << labels << "} " << seconds(left) << '\n';
    return out.str();
}

} // namespace agent
