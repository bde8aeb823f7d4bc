#pragma once
// Test support: a private Redis Cluster of three primaries on loopback (free ports, made with
// redis-cli --cluster create), who owns which slot, and moving one slot from node to node as a
// resharding does (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE). Waits poll.

#include "support/redis_server.h"

#include <array>

namespace baton::test {

class RedisCluster {
public:
    static constexpr int kNodes = 3;

    [[nodiscard]] bool start() {
        QStringList create{QStringLiteral("--cluster"), QStringLiteral("create")};
        for (auto& node : m_nodes) {
            if (!node.start({}, RedisServer::clusterNode()))
                return fail(node.error());
            create << QStringLiteral("127.0.0.1:%1").arg(node.port());
        }
        create << QStringLiteral("--cluster-yes");
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"), create);
        if (!cli.waitForFinished(20000) || cli.exitCode() != 0)
            return fail(QStringLiteral("redis-cli --cluster create failed: ") +
                        QString::fromUtf8(cli.readAll()));
        // Every node must know the whole map before a client is pointed at any of them.
        for (auto& node : m_nodes)
            if (!QTest::qWaitFor(
                    [&] {
                        return node.cli({QStringLiteral("CLUSTER"), QStringLiteral("INFO")})
                            .contains(u"cluster_state:ok");
                    },
                    15000))
                return fail(QStringLiteral("the cluster did not turn ok"));
        return true;
    }

    /// Node `i`; kNodes: the replica (see addReplica()).
    RedisServer& node(int i) {
        return i == kNodes ? m_replica : m_nodes.at(static_cast<std::size_t>(i));
    }
    QString error() const { return m_error; }

    /// redis-cluster:// with the first node only (the others are found through it).
    std::string url() const {
        return "redis-cluster://127.0.0.1:" + std::to_string(m_nodes[0].port());
    }

    /// The index of the node that says it serves `slot`, -1 when none.
    int ownerOf(int slot) {
        for (int i = 0; i < kNodes + (m_replica.running() ? 1 : 0); ++i)
            if (ownsOnItsOwn(i, slot))
                return i;
        return -1;
    }

    /// Moves `slot` and its keys from node `from` to node `to`, the way redis-cli --cluster
    /// reshard does, and waits until both nodes agree.
    [[nodiscard]] bool migrate(int slot, int from, int to) {
        return moveKeys(slot, from, to) && finishMove(slot, from, to);
    }
    /// The first half of a move: the slot is MIGRATING on `from`, IMPORTING on `to`, and its
    /// keys are on `to` (the source answers ASK for them until finishMove()).
    [[nodiscard]] bool moveKeys(int slot, int from, int to) {
        const QString s = QString::number(slot);
        node(to).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s,
                      QStringLiteral("IMPORTING"), id(from)});
        node(from).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s,
                        QStringLiteral("MIGRATING"), id(to)});
        for (;;) {
            const QStringList keys =
                node(from)
                    .cli({QStringLiteral("CLUSTER"), QStringLiteral("GETKEYSINSLOT"), s,
                          QStringLiteral("100")})
                    .split(u'\n', Qt::SkipEmptyParts);
            if (keys.isEmpty())
                return true;
            const QString answer =
                node(from).cli(QStringList{QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"),
                                           QString::number(node(to).port()), QString(),
                                           QStringLiteral("0"), QStringLiteral("5000"),
                                           QStringLiteral("REPLACE"), QStringLiteral("KEYS")} +
                               keys);
            if (!answer.contains(u"OK") && !answer.contains(u"NOKEY"))
                return fail(QStringLiteral("MIGRATE: ") + answer);
        }
    }
    /// The second half: every node is told `to` serves the slot now (MOVED from then on).
    [[nodiscard]] bool finishMove(int slot, int from, int to) {
        const QString toId = id(to);
        for (int i : {to, from, 3 - to - from})
            node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"),
                         QString::number(slot), QStringLiteral("NODE"), toId});
        return QTest::qWaitFor([&] { return ownsOnItsOwn(to, slot) && !ownsOnItsOwn(from, slot); },
                               10000);
    }

    /// Starts a replica of node `of` and waits until it has synced: node(kNodes) from then on.
    [[nodiscard]] bool addReplica(int of) {
        if (!m_replica.start({}, RedisServer::clusterNode()))
            return fail(m_replica.error());
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"),
                  {QStringLiteral("--cluster"), QStringLiteral("add-node"),
                   QStringLiteral("127.0.0.1:%1").arg(m_replica.port()),
                   QStringLiteral("127.0.0.1:%1").arg(node(of).port()),
                   QStringLiteral("--cluster-slave"), QStringLiteral("--cluster-master-id"),
                   id(of)});
        if (!cli.waitForFinished(20000) || cli.exitCode() != 0)
            return fail(QStringLiteral("redis-cli --cluster add-node failed: ") +
                        QString::fromUtf8(cli.readAll()));
        return QTest::qWaitFor(
                   [&] {
                       return m_replica.cli({QStringLiteral("INFO"), QStringLiteral("replication")})
                           .contains(u"master_link_status:up");
                   },
                   15000) ||
               fail(QStringLiteral("the replica did not sync"));
    }
    RedisServer& replica() { return m_replica; }

private:
    bool fail(const QString& why) {
        m_error = why;
        return false;
    }
    QString id(int i) { return node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("MYID")}); }
    // Whether node `i` says it serves `slot` (its own line of CLUSTER NODES, "myself").
    bool ownsOnItsOwn(int i, int slot) {
        const QStringList lines = node(i)
                                      .cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")})
                                      .split(u'\n', Qt::SkipEmptyParts);
        for (const QString& line : lines) {
            const QStringList f = line.split(u' ', Qt::SkipEmptyParts);
            if (f.size() < 8 || !f[2].contains(u"myself"))
                continue;
            for (qsizetype k = 8; k < f.size(); ++k) {
                if (f[k].startsWith(u'['))
                    continue; // a slot being imported or migrated: not served yet
                const QStringList range = f[k].split(u'-');
                const int first = range[0].toInt();
                const int last = range.size() > 1 ? range[1].toInt() : first;
                if (slot >= first && slot <= last)
                    return true;
            }
        }
        return false;
    }

    std::array<RedisServer, kNodes> m_nodes;
    RedisServer m_replica;
    QString m_error;
};

} // namespace baton::test
