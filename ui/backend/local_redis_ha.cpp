#include "backend/local_redis_ha.h"

#include "backend/local_redis_server.h"

#include <baton/redis/sentinel_config.h>

#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <csignal>

namespace baton::lab {

namespace {

constexpr int kPollMs = 250;
constexpr int kAnswerMs = 200; ///< a node slower than this is shown silent (paused, or busy)
constexpr int kDownAfterMs = 1000;
constexpr int kSettleMs = 30000; ///< from the last process up to ready(): else failed()

// One reply, read blocking on the poll thread: +simple, -error, :int, $bulk or *array of bulks
// (joined by newlines). Empty on a timeout.
QByteArray readReply(QTcpSocket& s, QByteArray& buffer) {
    auto line = [&]() -> QByteArray {
        while (!buffer.contains("\r\n"))
            if (!s.waitForReadyRead(kAnswerMs))
                return {};
            else
                buffer += s.readAll();
        const int end = int(buffer.indexOf("\r\n"));
        QByteArray l = buffer.left(end);
        buffer.remove(0, end + 2);
        return l;
    };
    auto bulk = [&](int n) -> QByteArray {
        while (buffer.size() < n + 2)
            if (!s.waitForReadyRead(kAnswerMs))
                return {};
            else
                buffer += s.readAll();
        QByteArray b = buffer.left(n);
        buffer.remove(0, n + 2);
        return b;
    };
    const QByteArray head = line();
    if (head.isEmpty())
        return {};
    if (head[0] == '$')
        return head.mid(1).toInt() < 0 ? QByteArray("(nil)") : bulk(head.mid(1).toInt());
    if (head[0] != '*')
        return head;
    QByteArrayList items;
    for (int i = 0, n = head.mid(1).toInt(); i < n; ++i) {
        const QByteArray h = line();
        items << (h.startsWith('$') ? bulk(h.mid(1).toInt()) : h.mid(1));
    }
    return items.join('\n');
}

QByteArray field(const QByteArray& info, const QByteArray& name) {
    for (const QByteArray& l : info.split('\n'))
        if (l.startsWith(QByteArray(name + ':')))
            return l.mid(name.size() + 1).trimmed();
    return {};
}

// A number from SENTINEL master's name/value list (joined by newlines), or -1.
int sentinelField(const QByteArrayList& pairs, const QByteArray& name) {
    for (qsizetype i = 0; i + 1 < pairs.size(); i += 2)
        if (pairs[i] == name)
            return pairs[i + 1].toInt();
    return -1;
}

// What one node says now; runs on the poll thread.
void pollNode(HaNode& n, const QByteArray& password, int* namedPrimary) {
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(n.port));
    if (!s.waitForConnected(kAnswerMs)) {
        n.state = HaNode::State::Down;
        return;
    }
    QByteArray buffer;
    const QByteArray master = LocalRedisHa::kMaster;
    const QByteArray ask =
        n.sentinel ? "SENTINEL get-master-addr-by-name " + master + "\r\nSENTINEL master " + master
                   : QByteArray("INFO replication");
    s.write("AUTH " + password + "\r\n" + ask + "\r\n");
    const QByteArray auth = readReply(s, buffer);
    const QByteArray answer = auth.isEmpty() ? QByteArray() : readReply(s, buffer);
    if (answer.isEmpty()) {
        n.state = HaNode::State::Silent;
        return;
    }
    n.state = HaNode::State::Up;
    if (n.sentinel) {
        const QByteArrayList a = answer.split('\n');
        *namedPrimary = a.size() == 2 ? a[1].toInt() : 0;
        const QByteArrayList view = readReply(s, buffer).split('\n');
        n.otherSentinels = sentinelField(view, "num-other-sentinels");
        n.replicas = sentinelField(view, "num-slaves");
        return;
    }
    n.role = QString::fromLatin1(field(answer, "role"));
    const bool replica = n.role == u"slave";
    n.offset = field(answer, replica ? "slave_repl_offset" : "master_repl_offset").toLongLong();
    n.linkUp = !replica || field(answer, "master_link_status") == "up";
}

// Lives on the poll thread: asks every node in turn, hands the result to the GUI thread.
class Poller : public QObject {
public:
    Poller(QVector<HaNode> nodes, QByteArray password, LocalRedisHa* owner,
           std::function<void(const QVector<HaNode>&)> deliver)
        : m_nodes(std::move(nodes))
        , m_password(std::move(password))
        , m_owner(owner)
        , m_deliver(std::move(deliver)) {}
    void poll() {
        QVector<HaNode> now = m_nodes;
        int agreed = -1;
        for (HaNode& n : now) {
            int named = -1;
            pollNode(n, m_password, &named);
            if (named >= 0)
                agreed = (agreed < 0 || agreed == named) ? named : 0;
        }
        for (HaNode& n : now)
            n.primary = !n.sentinel && agreed > 0 && n.port == agreed;
        QMetaObject::invokeMethod(m_owner, [d = m_deliver, now] { d(now); });
    }

private:
    QVector<HaNode> m_nodes;
    QByteArray m_password;
    QPointer<LocalRedisHa> m_owner;
    std::function<void(const QVector<HaNode>&)> m_deliver;
};

} // namespace

LocalRedisHa::LocalRedisHa(QObject* parent)
    : QObject(parent) {}

LocalRedisHa::~LocalRedisHa() {
    stop();
}

void LocalRedisHa::start() {
    if (m_servers[0])
        return;
    m_password = QString::number(QRandomGenerator::system()->generate64(), 16) +
                 QString::number(QRandomGenerator::system()->generate64(), 16);
    for (int i = 0; i < kNodes; ++i) {
        auto* s = new LocalRedisServer(this);
        s->setPassword(m_password);
        s->setSentinel(i >= kDataNodes);
        m_servers[std::size_t(i)] = s;
        connect(s, &LocalRedisServer::ready, this, &LocalRedisHa::onServerReady);
        connect(s, &LocalRedisServer::failed, this, [this, i](const QString& why) {
            if (m_killed[std::size_t(i)])
                return; // the lab's own fault: shown down in the strip
            Q_EMIT failed(why);
        });
    }
    // masterauth on the primary too: after a failover it replicates from the new primary.
    m_servers[0]->setExtraConfig("masterauth " + m_password.toLatin1() + "\n");
    m_servers[0]->start();
}

void LocalRedisHa::startRest() {
    const QByteArray auth = "masterauth " + m_password.toLatin1() + "\n";
    m_servers[1]->setExtraConfig(auth + "replicaof 127.0.0.1 " +
                                 QByteArray::number(m_servers[0]->port()) + "\n");
    SentinelMonitor m;
    m.master = kMaster;
    m.primaryPort = m_servers[0]->port();
    m.downAfterMs = kDownAfterMs;
    m.authPass = m_password.toStdString();
    m.sentinelPass = m.authPass;
    for (int i = kDataNodes; i < kNodes; ++i)
        m_servers[std::size_t(i)]->setExtraConfig(QByteArray::fromStdString(sentinelConfig(m)));
    for (int i = 1; i < kNodes; ++i)
        m_servers[std::size_t(i)]->start();
}

void LocalRedisHa::onServerReady() {
    if (m_pollThread)
        return;
    if (m_servers[0]->isReady() && !m_servers[1]->port()) {
        startRest();
        return;
    }
    for (LocalRedisServer* s : m_servers)
        if (!s->isReady())
            return;
    startPolling();
    QTimer::singleShot(kSettleMs, this, [this] {
        if (m_pollThread && !m_ready)
            Q_EMIT failed(tr("The private Sentinel setup did not settle within %1 s (the "
                             "sentinels must agree on the primary and know each other and the "
                             "replica): see the topology strip, or start it again")
                              .arg(kSettleMs / 1000));
    });
}

// Ready is told by the first poll that finds the setup settled.
void LocalRedisHa::startPolling() {
    QVector<HaNode> nodes;
    for (int i = 0; i < kNodes; ++i) {
        HaNode n;
        n.sentinel = i >= kDataNodes;
        n.name = n.sentinel ? tr("sentinel %1").arg(i - kDataNodes + 1)
                            : tr("node %1").arg(QChar(u'A' + i));
        n.port = m_servers[std::size_t(i)]->port();
        nodes << n;
    }
    m_topology = nodes;
    m_pollThread = new QThread(this);
    auto* poller = new Poller(nodes, m_password.toLatin1(), this,
                              [this](const QVector<HaNode>& now) { onPolled(now); });
    poller->moveToThread(m_pollThread);
    auto* timer = new QTimer;
    timer->setInterval(kPollMs);
    timer->moveToThread(m_pollThread);
    connect(m_pollThread, &QThread::started, timer, qOverload<>(&QTimer::start));
    connect(timer, &QTimer::timeout, poller, [poller] { poller->poll(); });
    connect(m_pollThread, &QThread::finished, poller, &QObject::deleteLater);
    connect(m_pollThread, &QThread::finished, timer, &QObject::deleteLater);
    m_pollThread->start();
}

bool LocalRedisHa::settled(const QVector<HaNode>& nodes) {
    bool primary = false;
    for (const HaNode& n : nodes) {
        primary = primary || n.primary;
        if (n.state != HaNode::State::Up || !n.linkUp)
            return false;
        if (n.sentinel &&
            (n.otherSentinels < kNodes - kDataNodes - 1 || n.replicas < kDataNodes - 1))
            return false;
    }
    return primary;
}

void LocalRedisHa::onPolled(const QVector<HaNode>& nodes) {
    m_topology = nodes;
    for (int i = 0; i < m_topology.size(); ++i) {
        HaNode& n = m_topology[i];
        if (m_paused[std::size_t(i)])
            n.state = HaNode::State::Paused;
        else if (m_killed[std::size_t(i)])
            n.state = HaNode::State::Down;
    }
    Q_EMIT topologyChanged();
    if (!m_ready && settled(nodes)) {
        m_ready = true;
        Q_EMIT ready(url());
    }
}

void LocalRedisHa::stop() {
    if (m_pollThread) {
        m_pollThread->quit();
        m_pollThread->wait();
        delete m_pollThread;
        m_pollThread = nullptr;
    }
    for (int i = 0; i < kNodes; ++i)
        if (LocalRedisServer* s = m_servers[std::size_t(i)]) {
            if (m_paused[std::size_t(i)])
                s->sendSignal(SIGCONT); // SIGKILL works on a stopped process, but tidy
            s->stop();
        }
    m_ready = false;
}

QString LocalRedisHa::url() const {
    if (!m_ready)
        return {};
    QStringList hosts;
    for (int i = kDataNodes; i < kNodes; ++i)
        hosts << QStringLiteral("127.0.0.1:%1").arg(m_servers[std::size_t(i)]->port());
    return QStringLiteral("redis-sentinel://:%1@%2/%3?sentinelPassword=%1")
        .arg(m_password, hosts.join(u','), QString::fromLatin1(kMaster));
}

int LocalRedisHa::primaryIndex() const {
    for (int i = 0; i < m_topology.size(); ++i)
        if (m_topology[i].primary)
            return i;
    return -1;
}

bool LocalRedisHa::killPrimary() {
    const int p = primaryIndex();
    if (p < 0 || m_killed[std::size_t(p)])
        return false;
    m_killed[std::size_t(p)] = true;
    return m_servers[std::size_t(p)]->sendSignal(SIGKILL);
}

bool LocalRedisHa::restartKilled() {
    const int p = primaryIndex();
    for (int i = 0; i < kDataNodes; ++i) {
        if (!m_killed[std::size_t(i)] || p < 0 || i == p || m_killed[std::size_t(p)])
            continue;
        LocalRedisServer* s = m_servers[std::size_t(i)];
        const int port = s->port();
        s->stop();
        s->setExtraConfig("masterauth " + m_password.toLatin1() + "\nreplicaof 127.0.0.1 " +
                          QByteArray::number(m_servers[std::size_t(p)]->port()) + "\n");
        m_killed[std::size_t(i)] = false;
        s->startOnPort(port);
        return true;
    }
    return false;
}

bool LocalRedisHa::pausePrimary(bool pause) {
    int p = primaryIndex();
    if (!pause) // the paused node may no longer be the one the sentinels name
        for (int i = 0; i < kDataNodes; ++i)
            if (m_paused[std::size_t(i)])
                p = i;
    if (p < 0 || m_killed[std::size_t(p)] || m_paused[std::size_t(p)] == pause)
        return false;
    m_paused[std::size_t(p)] = pause;
    return m_servers[std::size_t(p)]->sendSignal(pause ? SIGSTOP : SIGCONT);
}

bool LocalRedisHa::primaryPaused() const {
    return m_paused[0] || m_paused[1];
}

bool LocalRedisHa::cutReplication(bool cut) {
    const int p = primaryIndex();
    const int r = cut ? (p == 0 ? 1 : p == 1 ? 0 : -1) : m_cutNode;
    if (r < 0 || (cut && m_cutNode >= 0) || m_killed[std::size_t(r)])
        return false;
    const QString pass = cut ? QStringLiteral("cut-by-the-lab") : m_password;
    if (!command(r, {QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("masterauth"),
                     pass}))
        return false;
    if (cut)
        command(r, {QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"),
                    QStringLiteral("master")});
    m_cutNode = cut ? r : -1;
    return true;
}

// A short command to one node, blocking briefly on the GUI thread (a local node answers in
// well under a millisecond; a paused one is refused at once above).
bool LocalRedisHa::command(int node, const QStringList& args) {
    if (m_paused[std::size_t(node)])
        return false;
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_servers[std::size_t(node)]->port()));
    if (!s.waitForConnected(kAnswerMs))
        return false;
    QByteArray resp = "*2\r\n$4\r\nAUTH\r\n$" + QByteArray::number(m_password.size()) + "\r\n" +
                      m_password.toLatin1() + "\r\n*" + QByteArray::number(args.size()) + "\r\n";
    for (const QString& a : args)
        resp += '$' + QByteArray::number(a.toUtf8().size()) + "\r\n" + a.toUtf8() + "\r\n";
    s.write(resp);
    QByteArray buffer;
    return readReply(s, buffer).startsWith('+') && !readReply(s, buffer).startsWith('-');
}

} // namespace baton::lab
