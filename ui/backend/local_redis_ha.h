#pragma once
// A private Redis Sentinel setup for the lab (--local-redis-ha): a primary, one replica and
// three sentinels on free ports, one random password, polled off the GUI thread for the
// topology strip, with the Redis-side faults (kill, pause, cut replication) the lab offers.

#include <QObject>
#include <QString>
#include <QVector>

#include <array>

class QThread;

namespace baton::lab {

class LocalRedisServer;

struct HaNode {
    enum class State { Starting, Up, Down, Paused, Silent };
    QString name; ///< "node A", "sentinel 1"...
    int port = 0;
    bool sentinel = false;
    State state = State::Starting;
    QString role;            ///< "master" / "slave" as INFO says; empty for a sentinel
    qint64 offset = -1;      ///< replication offset, -1 unknown
    bool primary = false;    ///< what the sentinels agree on
    bool linkUp = true;      ///< a replica's master_link_status
    int otherSentinels = -1; ///< a sentinel's num-other-sentinels (-1 unknown)
    int replicas = -1;       ///< a sentinel's num-slaves (-1 unknown)
};

class LocalRedisHa : public QObject {
    Q_OBJECT
public:
    static constexpr int kDataNodes = 2;
    static constexpr int kNodes = 5;
    static constexpr const char* kMaster = "labmaster";

    explicit LocalRedisHa(QObject* parent = nullptr);
    ~LocalRedisHa() override;

    /// Starts the five processes without blocking; ready(url) follows once the sentinels agree
    /// on the primary and know each other and the linked replica (a failover can happen), or
    /// failed(why).
    void start();
    void stop();
    bool isReady() const { return m_ready; }
    /// redis-sentinel://:PASSWORD@.../labmaster?sentinelPassword=PASSWORD: show it only through
    /// redactUrl.
    QString url() const;
    LocalRedisServer* server(int i) const { return m_servers.at(std::size_t(i)); }
    /// The node the sentinels name as primary (-1: none agreed yet).
    int primaryIndex() const;
    const QVector<HaNode>& topology() const { return m_topology; }

    /// SIGKILL to the primary: the sentinels promote the replica.
    bool killPrimary();
    /// Starts the killed node again on its port, as a replica of the promoted one (as a
    /// supervisor's restart, which the sentinels would reconfigure so anyway): WAIT 1 needs a
    /// replica to acknowledge. False when no node is down or no primary is named.
    bool restartKilled();
    /// SIGSTOP (pause) or SIGCONT (resume) to the primary.
    bool pausePrimary(bool pause);
    bool primaryPaused() const;
    /// Cuts (or heals) replication between primary and replica while both stay reachable to
    /// clients and sentinels: the replica is given a wrong masterauth and its link is dropped,
    /// so writes stay on the primary only (no REPLICAOF NO ONE: the sentinels keep the roles).
    bool cutReplication(bool cut);
    bool replicationCut() const { return m_cutNode >= 0; }

Q_SIGNALS:
    void ready(const QString& url);
    void failed(const QString& why);
    void topologyChanged();

private:
    void startRest();
    void onServerReady();
    void startPolling();
    void onPolled(const QVector<HaNode>& nodes);
    static bool settled(const QVector<HaNode>& nodes);
    bool command(int node, const QStringList& args);

    std::array<LocalRedisServer*, kNodes> m_servers{};
    std::array<bool, kNodes> m_paused{};
    std::array<bool, kNodes> m_killed{};
    QVector<HaNode> m_topology;
    QThread* m_pollThread = nullptr;
    QString m_password;
    int m_cutNode = -1;
    bool m_ready = false;
};

} // namespace baton::lab
