#include "backend/redis_backend_impl.h"

#include <QFileInfo>

#include <algorithm>

namespace baton::lab {

// ---- electors -------------------------------------------------------------------------------

bool RedisBackend::Impl::roomForExternal(const std::string& id) {
    if (m_electors.count(ElectorKind::External) < kMaxExternals)
        return true;
    if (!m_externalsFull) {
        m_externalsFull = true;
        labEvent(QStringLiteral("error"),
                 QStringLiteral("more than %1 electors started elsewhere: '%2' and later ones "
                                "are not shown (reconnect to start over)")
                     .arg(kMaxExternals)
                     .arg(qstr(id)));
    }
    return false;
}

// "lab-agent-N" with an N that nobody on this resource uses (another lab may watch it too).
QString RedisBackend::Impl::freeName(const QString& prefix, int& counter) const {
    while (true) {
        const QString name = prefix + QString::number(counter++);
        const std::string s = name.toStdString();
        const bool taken =
            m_electors.findByIdentity(s) ||
            (m_observed && std::any_of(m_observed->members.begin(), m_observed->members.end(),
                                       [&](const MemberInfo& m) { return m.id == s; }));
        if (!taken)
            return name;
    }
}

std::optional<QString> RedisBackend::Impl::noUrl(const QString& what) const {
    if (m_health.urlError.isEmpty())
        return std::nullopt;
    return QStringLiteral("%1: no usable Redis URL (%2)").arg(what, m_health.urlError);
}

std::optional<QString> RedisBackend::Impl::badTiming(const QString& what, const Timing& t) {
    try {
        validate(t);
    } catch (const ConfigError& e) {
        return QString(what + QStringLiteral(": ") + qstr(e.what()));
    }
    return std::nullopt;
}

void RedisBackend::Impl::addThread(const Action& a) {
    const QString what = QStringLiteral("add thread elector");
    if (refused(noUrl(what)) || refused(badTiming(what, a.timing)))
        return;
    auto& r = add<ThreadElector>(freeName(QStringLiteral("lab-thread-"), m_nextThread), m_inbox,
                                 m_urlStd, m_resourceStd, a.timing, a.pollingOnly);
    added(QStringLiteral("thread elector"), r, a);
    r.build();
}

void RedisBackend::Impl::addAgent(const Action& a) {
    const QString what = QStringLiteral("add agent");
    if (refused(noUrl(what)) || refused(noAgentProgram()) || refused(badTiming(what, a.timing)))
        return;
    auto& r = add<AgentElector>(freeName(QStringLiteral("lab-agent-"), m_nextAgent), q, m_url,
                                m_resource, m_agentPath, a.timing, a.pollingOnly);
    added(QStringLiteral("agent"), r, a);
    r.setExtraArguments(m_agentArgs);
    r.launch();
}

std::optional<QString> RedisBackend::Impl::noAgentProgram() const {
    const QFileInfo exe(m_agentPath);
    if (!m_agentPath.isEmpty() && exe.isFile() && exe.isExecutable())
        return std::nullopt;
    return QStringLiteral("add agent: baton-agent not found at '%1': build it (ninja "
                          "baton-agent) and give the lab its path")
        .arg(m_agentPath);
}

void RedisBackend::Impl::added(const QString& kind, const RedisElector& r, const Action& a) {
    labEvent(QStringLiteral("info"),
             QStringLiteral("added %1 %2 (%3%4)")
                 .arg(kind, r.identity(), describe(a.timing),
                      a.pollingOnly ? QStringLiteral(", polling-only mode") : QString()));
}

// ---- actions --------------------------------------------------------------------------------

void RedisBackend::Impl::act(const Action& a) {
    if (!m_begun || m_shutDown) {
        refuse(QStringLiteral("%1: the Redis backend is not running").arg(actionName(a.kind)));
        return;
    }
    if (m_readOnly) {
        refuse(actionName(a.kind) + QStringLiteral(": ") + RedisBackend::readOnlyReason());
        return;
    }
    switch (a.kind) {
    case Action::Kind::AddThread:
        addThread(a);
        return;
    case Action::Kind::AddAgent:
        addAgent(a);
        return;
    case Action::Kind::KillLeader:
        killLeader(a);
        return;
    case Action::Kind::ResignLeader:
        resignLeader(a);
        return;
    default:
        actOn(a);
        return;
    }
}

RedisElector* RedisBackend::Impl::holderFor(const QString& what) {
    const LabTime now = m_clock.now();
    if (!m_health.fresh(now) || !m_observed) {
        refuse(
            QStringLiteral("%1: the lock cannot be read now (%2)").arg(what, m_health.status(now)));
        return nullptr;
    }
    if (!m_observed->holder) {
        refuse(QStringLiteral("%1: nobody holds the lock").arg(what));
        return nullptr;
    }
    RedisElector* r = m_electors.findByIdentity(m_observed->holder->identity);
    if (!r)
        refuse(QStringLiteral("%1: the holder '%2' is not an elector the lab knows")
                   .arg(what, qstr(m_observed->holder->identity)));
    return r;
}

// The safe failover: the holder is asked to step down over its control channel, as
// baton-ctl resign asks it; its revocation and the next election come as its events.
void RedisBackend::Impl::resignLeader(const Action& a) {
    RedisElector* r = holderFor(actionName(a.kind));
    if (r && a.elector >= 0 && a.elector != r->id()) {
        const RedisElector* asked = m_electors.find(a.elector);
        refuse(QStringLiteral("resign leader: %1 does not hold the lock (%2 does)")
                   .arg(asked ? asked->identity() : QString::number(a.elector), r->identity()));
        return;
    }
    if (!r || refused(r->whyNoResign()))
        return;
    sendControl(r->identity(), *controlMessage(a, r->identityStd()));
    labEvent(QStringLiteral("info"),
             QStringLiteral("asked %1 to resign: it revokes, releases and sits out one TTL")
                 .arg(r->identity()));
}

void RedisBackend::Impl::killLeader(const Action& a) {
    RedisElector* r = holderFor(actionName(a.kind));
    if (!r)
        return;
    const std::variant<Action, QString> kill = r->leaderKill(a);
    if (const QString* why = std::get_if<QString>(&kill))
        refuse(*why);
    else
        act(std::get<Action>(kill));
}

void RedisBackend::Impl::actOn(const Action& a) {
    RedisElector* r = m_electors.find(a.elector);
    if (!r) {
        refuse(QStringLiteral("%1: there is no elector %2").arg(actionName(a.kind)).arg(a.elector));
        return;
    }
    if (r->removed()) {
        refuse(QStringLiteral("%1: %2 was removed").arg(actionName(a.kind), r->identity()));
        return;
    }
    if (a.kind == Action::Kind::Timing &&
        refused(badTiming(QStringLiteral("set timing"), a.timing)))
        return;
    const LabTime now = m_clock.now();
    if (refused(r->whyNot(a, now)))
        return;
    r->act(a, now);
    // From when the kill was done and reported (a process takes a moment to die), so that the
    // elector is down for the whole length.
    if (a.kind == Action::Kind::Crash && a.duration > Duration::zero())
        m_comeBack.emplace_back(r->id(), m_clock.now() + a.duration);
}

} // namespace baton::lab
