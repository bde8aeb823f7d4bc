#pragma once
// Which shards a sharded baton-agent leads, by its own event lines.

#include "support/agent_process.h"

#include <map>
#include <set>

namespace baton::test {

/// The shards `a` leads: those whose last elected/revoked/stopped event is `elected`.
inline std::set<QString> shardsLed(const AgentProcess& a) {
    std::map<QString, bool> leading;
    for (const QJsonObject& e : a.events()) {
        const QString type = e.value(QStringLiteral("event")).toString();
        const QString shard = e.value(QStringLiteral("resource")).toString();
        if (type == QLatin1String("elected"))
            leading[shard] = true;
        else if (type == QLatin1String("revoked") || type == QLatin1String("stopped"))
            leading[shard] = false;
    }
    std::set<QString> out;
    for (const auto& [shard, yes] : leading)
        if (yes)
            out.insert(shard);
    return out;
}

} // namespace baton::test
