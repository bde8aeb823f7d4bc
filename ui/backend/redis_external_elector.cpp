#include "backend/redis_external_elector.h"

namespace baton::lab {

ExternalElector::ExternalElector(RedisHost& host, int id, const QString& identity)
    : RedisElector(host, id, identity, ElectorKind::External) {}

void ExternalElector::seenOnChannel() {
    m_controllable = false;
    m_present = true;
}

bool ExternalElector::believesLeader(LabTime now) const {
    return m_present && m_leading && now < m_leaseEnd;
}

void ExternalElector::noted(const WireEvent& w) {
    if (w.name == "stopped")
        m_sawStopped = true;
    else if (w.name == "started")
        m_sawStopped = false;
}

void ExternalElector::onMember(const MemberInfo* m, LabTime when) {
    if (!m) {
        m_present = false;
        return;
    }
    m_member = *m;
    // Only a return clears a stop: a look that began before the entry was deleted may come in
    // after the "stopped" event.
    if (!m_present)
        m_sawStopped = false;
    m_present = true;
    m_controllable = m->control;
    m_pollingOnly = m->pollingOnly;
    m_timing = {m->ttl, m->refresh, m->retry};
    if (m->fence > m_fence)
        m_fence = m->fence;
    // Its events tell when it was elected; its entry tells that it leads now.
    if (m->state == "leader" && !m_leading) {
        m_leading = true;
        m_leaseStart = when;
        m_leaseEnd = when + m->ttl;
    }
}

void ExternalElector::fillView(ElectorView& v, LabTime /*now*/, ElectorState /*down*/) const {
    if (!m_present) {
        v.state = m_sawStopped ? ElectorState::Stopped : ElectorState::Crashed;
        v.believesLeader = false;
        v.leaseStart = v.leaseEnd = {};
        v.note = m_sawStopped ? QStringLiteral("stopped")
                              : QStringLiteral("gone: no heartbeat in its presence entry");
        return;
    }
    const std::string st = m_member ? m_member->state : std::string("follower");
    if (st == "paused")
        v.state = ElectorState::Paused;
    else if (st == "partitioned")
        v.state = ElectorState::Partitioned;
    else if (st == "stopped")
        v.state = ElectorState::Stopped;
    else
        v.state =
            v.believesLeader || st == "leader" ? ElectorState::Leader : ElectorState::Follower;
    if (m_member) {
        v.fence = std::max<quint64>(v.fence, m_member->fence);
        v.seenLeader = qstr(m_member->leader);
        v.note = QStringLiteral("pid %1 on %2%3")
                     .arg(m_member->pid)
                     .arg(qstr(m_member->host),
                          m_controllable ? QString()
                                         : QStringLiteral(" (watch only: no --allow-control)"));
    }
}

std::variant<Action, QString> ExternalElector::leaderKill(const Action& a) const {
    // Nobody here can SIGKILL another machine's process; one that obeys control can be cut off
    // from the store for longer than its lease, which fails over just the same.
    if (!m_controllable)
        return QStringLiteral("kill leader: %1 was started elsewhere without --allow-control")
            .arg(identity());
    Action cut = a;
    cut.kind = Action::Kind::Partition;
    cut.elector = id();
    cut.duration = std::max<Duration>(2 * m_timing.ttl, std::chrono::seconds(10));
    return cut;
}

std::optional<QString> ExternalElector::whyNoResign() const {
    if (!m_controllable)
        return QStringLiteral("resign leader: %1 was started elsewhere without --allow-control")
            .arg(identity());
    if (!m_present)
        return QStringLiteral("resign leader: %1 is gone").arg(identity());
    return std::nullopt;
}

std::optional<QString> ExternalElector::whyNot(const Action& a, LabTime /*now*/) const {
    if (!m_controllable)
        return QStringLiteral("%1: %2 was started without --allow-control; the lab can only "
                              "watch it")
            .arg(actionName(a.kind), identity());
    if (!m_present)
        return QStringLiteral("%1: %2 is gone").arg(actionName(a.kind), identity());
    switch (a.kind) {
    case Action::Kind::Pause:
    case Action::Kind::Partition:
        return badLength(a);
    case Action::Kind::Stop:
    case Action::Kind::Resume:
    case Action::Kind::Heal:
    case Action::Kind::Timing:
        return std::nullopt;
    default:
        return QStringLiteral("%1: %2 was started elsewhere; over its control channel the lab "
                              "can stop, pause, resume, partition, heal and retime it")
            .arg(actionName(a.kind), identity());
    }
}

void ExternalElector::act(const Action& a, LabTime now) {
    // Everything it obeys comes over its control channel (whyNot() let only that through).
    const bool leads = believesLeader(now);
    if (const std::optional<std::string> message = controlMessage(a, identityStd())) {
        m_host.sendControl(identity(), *message);
        reportFault(a, now, leads);
    }
}

} // namespace baton::lab
