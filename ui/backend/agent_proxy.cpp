#include "backend/agent_proxy.h"

#include <baton/proxy/fault_proxy.h>
#include <baton/redis/redis_url.h>

#include <algorithm>

namespace baton::lab {

namespace {

const QString kScheme = QStringLiteral("redis://");

std::chrono::milliseconds wholeMs(Duration d) {
    // Rounded up: a fault of 0.4 ms still lasts.
    return std::max(std::chrono::milliseconds(1), std::chrono::ceil<std::chrono::milliseconds>(d));
}

} // namespace

QString throughProxy(const QString& url, int port) {
    if (!url.startsWith(kScheme, Qt::CaseInsensitive))
        return {};
    const QString rest = url.mid(kScheme.size());
    // The credentials end at the last '@' before the path (a password may hold '@' or '/'
    // percent-encoded, never a bare '/'); the address runs to the path.
    const qsizetype pathAt = rest.indexOf(u'/', std::max<qsizetype>(0, rest.lastIndexOf(u'@')));
    const QString authority = pathAt < 0 ? rest : rest.left(pathAt);
    const QString path = pathAt < 0 ? QString() : rest.mid(pathAt);
    const qsizetype at = authority.lastIndexOf(u'@');
    const QString credentials = at < 0 ? QString() : authority.left(at + 1);
    return kScheme + credentials + QStringLiteral("127.0.0.1:") + QString::number(port) + path;
}

std::unique_ptr<AgentProxy> AgentProxy::open(const QString& url, QString& why) {
    try {
        const RedisUrl parsed = RedisUrl::parse(url.toStdString());
        if (parsed.unixSocket) {
            why = QStringLiteral("Redis is on a unix socket and the fault proxy forwards TCP");
            return nullptr;
        }
        auto proxy = std::make_unique<proxy::FaultProxy>(parsed.host, parsed.port);
        const QString agentUrl = throughProxy(url, proxy->port());
        if (agentUrl.isEmpty()) {
            why = QStringLiteral("the URL is not a redis:// URL");
            return nullptr;
        }
        return std::unique_ptr<AgentProxy>(new AgentProxy(std::move(proxy), agentUrl));
    } catch (const std::exception& e) {
        // UrlError never holds the password; the proxy's errors name host and port only.
        why = qstr(e.what());
        return nullptr;
    }
}

AgentProxy::AgentProxy(std::unique_ptr<proxy::FaultProxy> proxy, QString agentUrl)
    : m_proxy(std::move(proxy))
    , m_agentUrl(std::move(agentUrl)) {}

AgentProxy::~AgentProxy() = default;

QString AgentProxy::describe() const {
    return QStringLiteral("127.0.0.1:%1 -> %2").arg(m_proxy->port()).arg(qstr(m_proxy->upstream()));
}

void AgentProxy::partition(Duration d) {
    if (m_partition)
        m_proxy->heal(m_partition);
    m_partition = m_proxy->add(proxy::Fault::blackhole().lasting(wholeMs(d)));
}

void AgentProxy::addLatency(Duration extra, Duration d) {
    if (m_latency)
        m_proxy->heal(m_latency);
    const auto each = std::chrono::ceil<std::chrono::microseconds>(extra);
    m_latency = m_proxy->add(proxy::Fault::latencyOf(each).lasting(wholeMs(d)));
}

void AgentProxy::heal() {
    for (std::uint64_t* id : {&m_partition, &m_latency})
        if (*id)
            m_proxy->heal(std::exchange(*id, 0));
}

AgentProxy::InForce AgentProxy::inForce() const {
    InForce f;
    for (const proxy::ActiveFault& a : m_proxy->active()) {
        const TimePoint until = a.endsAt ? TimePoint(*a.endsAt) : TimePoint::max();
        if (a.fault.kind == proxy::FaultKind::Blackhole) {
            f.partitionedUntil = std::max(f.partitionedUntil, until);
        } else if (a.fault.kind == proxy::FaultKind::Latency) {
            f.latency += a.fault.latency;
            f.latencyUntil = std::max(f.latencyUntil, until);
        }
    }
    return f;
}

} // namespace baton::lab
