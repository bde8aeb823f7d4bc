#include "backend/redis_elector.h"

#include <baton/fault/fault.h>

namespace baton::lab {

QString describe(const Timing& t) {
    return QStringLiteral("ttl %1, refresh %2, retry %3")
        .arg(qstr(formatDuration(t.ttl)), qstr(formatDuration(t.refreshInterval)),
             qstr(formatDuration(t.retryInterval)));
}

RedisElector::RedisElector(RedisHost& host, int id, const QString& identity, ElectorKind kind)
    : m_host(host)
    , m_id(id)
    , m_identity(identity)
    , m_identityStd(identity.toStdString())
    , m_kind(kind) {}

ElectorView RedisElector::view(LabTime now) const {
    ElectorView v;
    v.id = m_id;
    v.identity = m_identity;
    v.kind = m_kind;
    v.pollingOnly = m_pollingOnly;
    v.controllable = m_controllable && !m_removed;
    v.fence = m_fence;
    v.timing = timing();
    v.seenLeader = m_seenLeader;
    v.believesLeader = believesLeader(now);
    v.note = m_note;
    if (m_leading && v.believesLeader) {
        v.leaseStart = m_leaseStart;
        v.leaseEnd = m_leaseEnd;
    }
    // Not running: crashed, or stopped for any other reason.
    fillView(v, now, m_life == Life::Crashed ? ElectorState::Crashed : ElectorState::Stopped);
    // Each action asked with a strength that is fine, so that what remains is the elector's.
    for (int k = 0; k < kActionKinds; ++k) {
        const auto kind = Action::Kind(k);
        if (!actsOnOne(kind))
            continue;
        if (kind == Action::Kind::ResignLeader) {
            v.unavailable[std::size_t(k)] =
                v.believesLeader
                    ? whyNoResign().value_or(QString())
                    : QStringLiteral("resign leader: %1 does not lead").arg(m_identity);
            continue;
        }
        Action probe;
        probe.kind = kind;
        probe.elector = m_id;
        probe.duration = std::chrono::seconds(1);
        probe.extra = std::chrono::milliseconds(1);
        probe.timing = v.timing;
        if (const std::optional<QString> why = whyNot(probe, now))
            v.unavailable[std::size_t(k)] = *why;
    }
    return v;
}

QString RedisElector::noDrift() {
    return QStringLiteral("drift: a thread elector runs on the lab's own clock; simulated "
                          "electors drift, and so do the lab's agents (restarted with "
                          "--clock-rate)");
}

Timing RedisElector::timing() const {
    if (m_member)
        return {m_member->ttl, m_member->refresh, m_member->retry};
    return m_timing;
}

std::optional<QString> RedisElector::whyNoResign() const {
    if (!m_controllable)
        return QStringLiteral("resign leader: %1 obeys no control messages: start it with "
                              "--allow-control")
            .arg(identity());
    if (m_life != Life::Running)
        return QStringLiteral("resign leader: %1 is not running").arg(identity());
    return std::nullopt;
}

std::variant<Action, QString> RedisElector::leaderKill(const Action& a) const {
    Action kill = a;
    kill.kind = Action::Kind::Crash;
    kill.elector = m_id;
    return kill;
}

void RedisElector::apply(const WireEvent& w) {
    if (w.name == "elected" || w.name == "extended") {
        m_leading = true;
        m_fence = w.fence;
        m_leaseStart = w.at;
        m_leaseEnd = w.deadline;
        if (w.name == "elected")
            m_seenLeader = m_identity;
    } else if (w.name == "revoked" || w.name == "stopped") {
        m_leading = false;
    } else if (w.name == "leader-changed") {
        m_seenLeader = w.leader;
    }
    noted(w);
    LabEvent e;
    e.at = w.at;
    e.source = LabEvent::Source::Elector;
    e.elector = m_id;
    e.identity = m_identity;
    e.name = qstr(w.name);
    e.fence = w.fence;
    e.deadline = w.deadline;
    e.detail = w.detail;
    m_host.push(std::move(e));
}

void RedisElector::onMember(const MemberInfo* m, LabTime /*when*/) {
    if (m)
        m_member = *m;
    else
        m_member.reset();
}

void RedisElector::fault(const QString& name, bool wasLeader, LabTime until,
                         const QString& detail) {
    LabEvent e;
    e.at = m_host.clock().now();
    e.source = LabEvent::Source::Fault;
    e.elector = m_id;
    e.identity = m_identity;
    e.name = name;
    e.fence = fenceNow();
    e.until = until;
    e.wasLeader = wasLeader;
    e.detail = detail;
    const bool crashedLeader = wasLeader && name == QStringLiteral("crash");
    const quint64 fence = e.fence;
    m_host.push(LabEvent(e));
    if (crashedLeader)
        m_host.push(crashRevocation(e, fence));
}

void RedisElector::reportFault(const Action& a, LabTime now, bool wasLeader, QString detail) {
    const FaultKind kind = *faultOf(a.kind);
    const bool timed =
        kind == FaultKind::Pause || kind == FaultKind::Partition || kind == FaultKind::Latency;
    if (detail.isEmpty() && kind == FaultKind::Latency)
        detail = QStringLiteral("+%1 each way").arg(qstr(formatDuration(a.extra)));
    else if (detail.isEmpty() && kind == FaultKind::Timing)
        detail = describe(a.timing);
    fault(qstr(faultName(kind)), wasLeader, timed ? now + a.duration : LabTime{}, detail);
}

std::optional<QString> RedisElector::notRunning(const Action& a) const {
    return QStringLiteral("%1: %2 is not running (start it first)")
        .arg(actionName(a.kind), m_identity);
}

std::optional<QString> RedisElector::needsRunning(const Action& a, bool running) const {
    if (!running)
        return notRunning(a);
    if (a.kind == Action::Kind::Pause || a.kind == Action::Kind::Partition)
        return badLength(a);
    return std::nullopt;
}

std::optional<QString> RedisElector::alreadyRunning() const {
    return QStringLiteral("start: %1 is already running").arg(m_identity);
}

std::optional<QString> RedisElector::notPaused() const {
    return QStringLiteral("resume: %1 is not paused").arg(m_identity);
}

std::optional<QString> RedisElector::badLength(const Action& a) {
    if (a.duration > Duration{} && a.duration <= faultLimits::kLongest)
        return std::nullopt;
    return QStringLiteral("%1 needs a duration above 0 and at most 24 h (got %2)")
        .arg(actionName(a.kind), qstr(formatDuration(a.duration)));
}

std::optional<QString> RedisElector::badStrength(const Action& a) {
    const std::string rule = faultStrengthError(*faultOf(a.kind), a.duration, a.extra, a.rate);
    if (rule.empty())
        return std::nullopt;
    return actionName(a.kind) + QStringLiteral(": ") + qstr(rule);
}

void RedisElector::markRemoved() {
    m_removed = true;
    m_controllable = false;
    m_note = QStringLiteral("removed");
}

} // namespace baton::lab
