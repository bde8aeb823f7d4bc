// The shared runtime on a real redis-server: two Campaigners (as two processes would be) with
// 50 elections each, their calls pipelined on one command connection per store.

#include "support/redis_server.h"

#include <baton/redis/pipelined_batch.h>

#include <QTest>

using namespace baton;
using namespace baton::test;
using namespace std::chrono_literals;

class TestCampaignerRedis : public QObject {
    Q_OBJECT
    static constexpr int kShards = 50;

    RedisServer m_server;

    struct Node {
        Node(const std::string& url, const std::string& id)
            : store(url)
            , locker(store)
            , runtime(locker, SteadyClock::instance(), pipelinedBatch(store)) {
            for (int i = 0; i < kShards; ++i) {
                Config c;
                c.resource = "jobs-" + std::to_string(i);
                c.identity = id;
                c.timing = {2s, 200ms, 2s};
                campaigns.push_back(runtime.add(c));
            }
        }
        RedisStore store;
        Locker locker;
        Campaigner runtime;
        std::vector<std::unique_ptr<Campaign>> campaigns; // destroyed before the runtime
        ~Node() { campaigns.clear(); }
    };

    // Every shard led by exactly one of `nodes`, whose fence and identity are the lock's.
    static bool oneTrueLeaderEach(std::vector<Node*> nodes, RedisStore& look) {
        for (int i = 0; i < kShards; ++i) {
            int leaders = 0;
            std::optional<LockInfo> lock;
            try {
                lock = look.inspect("jobs-" + std::to_string(i));
            } catch (const StoreError&) {
                return false; // the test's own link, dropped too: it is re-made on the next try
            }
            for (Node* n : nodes) {
                const Campaign& c = *n->campaigns[std::size_t(i)];
                if (!c.isLeader())
                    continue;
                ++leaders;
                if (!lock || lock->fence != c.fence() || lock->identity != c.identity()) {
                    qWarning("jobs-%d: %s leads with fence %llu, the lock says %s", i,
                             c.identity().c_str(), static_cast<unsigned long long>(c.fence()),
                             lock ? (lock->identity + " " + std::to_string(lock->fence)).c_str()
                                  : "free");
                    return false;
                }
            }
            if (leaders != 1) {
                qWarning("jobs-%d: %d leaders", i, leaders);
                return false;
            }
        }
        return true;
    }

private slots:
    void init() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void cleanup() { m_server.stop(); }

    // Given two runtimes campaigning for 50 shards each, then every shard has one leader whose
    // fence is the lock's, and calls went out many to a round trip; when the server drops every
    // connection, then the runtimes reconnect, every answer still reaches its own election
    // (fences match), and a stopped runtime's shards go to the other at once (notices heard on
    // the re-made subscription).
    void pipelinedAnswersAreMatchedAfterAReconnect() {
        RedisStore look(m_server.url());
        Node a(m_server.url(), "a");
        for (auto& c : a.campaigns)
            c->start();
        QTRY_VERIFY(oneTrueLeaderEach({&a}, look));
        Node b(m_server.url(), "b");
        for (auto& c : b.campaigns)
            c->start();
        QTRY_VERIFY(b.runtime.calls() >= std::uint64_t(kShards));
        QTRY_VERIFY(oneTrueLeaderEach({&a, &b}, look));
        // The server stops answering for 400 ms: the extends that come due meanwhile queue up
        // behind the one in flight, and go out together, in one round trip, when it answers.
        const std::uint64_t calls = a.runtime.calls(), batches = a.runtime.batches();
        m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("400")});
        QTRY_VERIFY(a.runtime.calls() >= calls + 2 * kShards);
        QVERIFY2(a.runtime.calls() - calls >= a.runtime.batches() - batches + kShards / 2,
                 "the calls that queued did not share a round trip");
        QVERIFY(oneTrueLeaderEach({&a, &b}, look));

        const std::uint64_t before = a.runtime.calls();
        m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"),
                      QStringLiteral("normal")});
        m_server.cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"),
                      QStringLiteral("pubsub")});
        QTRY_VERIFY(a.runtime.calls() >= before + 2 * kShards); // extends went on after it
        QTRY_VERIFY(oneTrueLeaderEach({&a, &b}, look));         // the test's link is re-made too
        for (auto& c : a.campaigns)
            QVERIFY(c->isLeader()); // rode out the drop: the extends' retries held the lock

        for (auto& c : a.campaigns)
            c->stop();
        QTRY_VERIFY_WITH_TIMEOUT(oneTrueLeaderEach({&b}, look), 1000); // within the retry 2 s
    }
};

QTEST_GUILESS_MAIN(TestCampaignerRedis)
#include "test_campaigner_redis.moc"
