#include "sharded.h"

#include "agent.h"
#include "line_pump.h"

#include <baton/base/text.h>
#include <baton/election/campaigner.h>
#include <baton/redis/pipelined_batch.h>
#include <baton/redis/resource_directory.h>
#include <baton/wire/event_message.h>
#include <baton/wire/member.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace agent {

namespace {

using baton::app::LinePump;

using namespace std::chrono_literals;

void say(const std::string& id, const std::string& text) {
    std::fprintf(stderr, "baton-agent[%s] info: %s\n", baton::visible(id, 128).c_str(),
                 baton::visible(text, 4096).c_str());
}

// The shards and their fair share: who leads how many, and the hold-offs of those handed over.
class Shards {
public:
    Shards(const Options& o, const std::string& id, baton::RedisStore& store, LinePump& out)
        : m_options(o)
        , m_locker(store)
        , m_runtime(m_locker, baton::SteadyClock::instance(), baton::pipelinedBatch(store)) {
        for (int i = 0; i < o.shards; ++i) {
            baton::Config c;
            c.resource = o.resource + "-" + std::to_string(i);
            c.identity = id;
            c.timing = {o.ttl, o.refresh, o.retry};
            c.maxClockDrift = o.maxDrift;
            c.pollingOnly = o.pollingOnly;
            c.onEvent = [&out, id, resource = c.resource,
                         verbose = o.verbose](const baton::Event& e) {
                if (e.type == baton::EventType::Extended && !verbose)
                    return;
                out.push(baton::wire::encode(baton::wire::eventMessage(e, id, resource)));
            };
            if (o.fairShare) {
                // On the scheduler thread, between two of its steps: cheap unless the count
                // crosses the share (a count of all would read the clock 1,000 times).
                c.onElected = [this] {
                    if (m_led.fetch_add(1, std::memory_order_relaxed) + 1 ==
                        m_keep.load(std::memory_order_relaxed))
                        answerNoticesBelowShare();
                };
                c.onRevoked = [this] {
                    if (m_led.fetch_sub(1, std::memory_order_relaxed) ==
                        m_keep.load(std::memory_order_relaxed))
                        answerNoticesBelowShare();
                };
            }
            baton::validate(c);
            m_campaigns.push_back(m_runtime.add(c));
            m_benchedUntil.push_back({});
        }
    }
    // Campaigns for every shard. With `members` live members seen (ranked by name, this one
    // `rank`), for its own part first, the shards i with i % members == rank, and for the
    // others `later` (a refresh: time for their own member to take them, and shorter than the
    // TTL after which a member over its share hands shards over, so that a joiner campaigns for
    // every shard by then): members started together take disjoint shares, exactly fair, and
    // hand nothing over. A shard whose member is gone (a stale presence entry) is taken
    // `later` (a rebalance starts those campaigns).
    void start(int members, int rank, baton::Duration later) {
        const auto now = baton::SteadyClock::instance().now();
        for (int i = 0; i < int(m_campaigns.size()); ++i)
            if (members <= 1 || i % members == rank)
                m_campaigns[std::size_t(i)]->start();
            else
                m_benchedUntil[std::size_t(i)] = now + later;
    }
    void stop() { m_runtime.stopAll(); }

    int leading() const {
        return int(std::count_if(m_campaigns.begin(), m_campaigns.end(),
                                 [](const auto& c) { return c->isLeader(); }));
    }

    // Hands over what this member leads beyond its fair share, ceil(N / live), and one more
    // while it holds the ceiling and another member is below the floor (else nobody would
    // give that one a shard); the others hear the release notice and take it. Campaigns again
    // for what it handed over a TTL ago.
    void rebalance(int liveMembers, int leastOther, std::vector<std::string> overFloor) {
        const auto now = baton::SteadyClock::instance().now();
        const int n = int(m_campaigns.size());
        const int live = std::max(1, liveMembers);
        const int quota = (n + live - 1) / live, floor = n / live;
        int leading = this->leading();
        const int keep =
            leading == quota && quota > floor && leastOther < floor ? quota - 1 : quota;
        // Only an excess that lasts a TTL is handed over: after a member died, the survivors
        // take its shards at once, and its presence entry expires about a TTL later.
        if (leading <= keep)
            m_overSince = {};
        else if (m_overSince == baton::TimePoint{})
            m_overSince = now;
        for (int i = 0; i < n && leading > keep && now - m_overSince >= m_options.ttl; ++i)
            if (m_campaigns[i]->isLeader()) {
                m_campaigns[i]->stop(); // revoke, release: a member under its share takes it
                m_benchedUntil[i] = now + m_options.refresh; // long enough to be taken
                --leading;
            }
        for (int i = 0; i < n; ++i)
            if (!m_campaigns[i]->running() && now >= m_benchedUntil[i])
                m_campaigns[i]->start(); // a follower again: the lock is somebody else's now
        m_keep.store(keep, std::memory_order_relaxed);
        m_othersNeed.store(leastOther < floor, std::memory_order_relaxed);
        {
            std::lock_guard guard(m_overMutex);
            if (!m_overFloor || *m_overFloor != overFloor)
                m_overFloor =
                    std::make_shared<const std::vector<std::string>>(std::move(overFloor));
        }
        answerNoticesBelowShare();
    }

    // While another member is below the floor (one that joined), a member that leads its share
    // answers the release notices of members over the floor (those handing shards over) only
    // after a head start for that member: a shard handed over then goes to it, not to whoever
    // answers first (a member at its share that won it would hand it over again a TTL later,
    // and so on). When nobody below takes it, it takes it after the head start. A release by
    // any other member (one leaving) it answers at once, and a lock that expires (a crashed
    // member's) it takes at the expiry, as before. After each rebalance, and when the count of
    // shards led crosses the share.
    void answerNoticesBelowShare() {
        const bool atShare =
            m_led.load(std::memory_order_relaxed) >= m_keep.load(std::memory_order_relaxed) &&
            m_othersNeed.load(std::memory_order_relaxed);
        // From the main thread and the scheduler's callbacks: one at a time. (The campaigns'
        // own lock is taken inside: never the other way round, callbacks run unlocked.)
        std::lock_guard guard(m_overMutex);
        const baton::Duration delay = atShare ? kHeadStart : baton::Duration::zero();
        if (delay == m_delaySet && m_overFloor == m_delayFrom)
            return;
        for (const auto& c : m_campaigns)
            c->setNoticeDelay(delay, m_overFloor);
        m_delaySet = delay;
        m_delayFrom = m_overFloor;
    }
    // Enough for a member on the same network to hear the notice and win the lock.
    static constexpr baton::Duration kHeadStart = std::chrono::milliseconds(10);

private:
    const Options& m_options;
    baton::Locker m_locker;
    baton::Campaigner m_runtime;
    // Read by the campaigns' callbacks: made before them, gone after them.
    std::atomic<int> m_keep{std::numeric_limits<int>::max()}; // how many it keeps; unknown: all
    std::atomic<bool> m_othersNeed{false}; // another member leads fewer than the floor
    std::atomic<int> m_led{0};             // elected minus revoked: leading(), without clocks
    // Guards what follows (the main thread and the callbacks use them).
    std::mutex m_overMutex;
    std::shared_ptr<const std::vector<std::string>> m_overFloor; // the last read's
    baton::Duration m_delaySet{}; // what the campaigns were last given
    std::shared_ptr<const std::vector<std::string>> m_delayFrom;
    std::vector<std::unique_ptr<baton::Campaign>> m_campaigns; // after m_runtime: gone before it
    std::vector<baton::TimePoint> m_benchedUntil;
    baton::TimePoint m_overSince{}; // since when it leads more than its share ({}: it does not)
};

// What the family's presence entries say: its live members (at least this one), the fewest
// shards any other of them leads, and the others that lead more than the floor (those that may
// be handing shards over); live 0 when unknown.
struct Family {
    int live = 0;
    int leastOther = 0;
    std::vector<std::string> overFloor;
    int members = 1; // the live members, this one included
    int rank = 0;    // this member's place among them by name
};

Family family(baton::RedisStore& store, const std::string& name, const std::string& self,
              int shards) {
    try {
        const baton::MemberEntries read = store.members(name);
        std::vector<std::pair<std::string, int>> others;
        int live = 0;
        bool seen = false;
        for (const auto& [id, json] : read.entries)
            if (const auto m = baton::wire::decodeMember(id, json);
                m && baton::directory::live(*m, read.serverMs, baton::unixMsNow())) {
                ++live;
                if (id != self)
                    others.emplace_back(id, int(m->shardsLed));
                else
                    seen = true;
            }
        Family f;
        f.live = std::max(1, live);
        // Its place among the live members by name, itself included (last if its own entry is
        // not there yet).
        f.members = seen ? live : live + 1;
        f.rank = seen ? int(std::count_if(others.begin(), others.end(),
                                          [&](const auto& o) { return o.first < self; }))
                      : live;
        f.leastOther = std::numeric_limits<int>::max();
        const int floor = shards / f.live;
        for (const auto& [id, led] : others) {
            f.leastOther = std::min(f.leastOther, led);
            if (led > floor)
                f.overFloor.push_back(id);
        }
        return f;
    } catch (const baton::StoreError&) {
        return {};
    }
}

// At its start, a member reads the family's presence entries every kSettleStep until the live
// members (their count and its own place among them) have stayed the same for kSettleQuiet, so
// that those started with it within that time have written theirs, for at most kSettleMost,
// keeping its own entry fresh (`beat`, at a quarter TTL). Returns the family then, or the
// signal that ended the wait.
constexpr baton::Duration kSettleStep = std::chrono::milliseconds(50);
constexpr baton::Duration kSettleQuiet = std::chrono::milliseconds(300);
constexpr baton::Duration kSettleMost = std::chrono::seconds(2);

template <typename Beat>
int settle(LinePump& out, baton::RedisStore& store, const Options& o, const std::string& id,
           const Beat& beat, Family& f) {
    const auto now = [] { return baton::SteadyClock::instance().now(); };
    f = family(store, o.resource, id, o.shards);
    const auto until = now() + kSettleMost;
    auto quietSince = now(), beaten = now();
    while (now() < until && now() - quietSince < kSettleQuiet) {
        if (const int sig = out.serve(kSettleStep); sig > 0)
            return sig;
        if (now() - beaten >= o.ttl / 4) {
            beat();
            beaten = now();
        }
        const Family g = family(store, o.resource, id, o.shards);
        if (g.members != f.members || g.rank != f.rank)
            quietSince = now();
        f = g;
    }
    return 0;
}

} // namespace

int runSharded(const Options& o) {
    const std::string id = o.id.empty() ? baton::defaultIdentity() : o.id;
    baton::RedisOptions electionOptions;
    electionOptions.connectTimeout = 1s;
    electionOptions.commandTimeout = 500ms; // a stop must finish within a second
    electionOptions.keepAlive = o.ttl;
    electionOptions.tcpKeepAlive = true;
    electionOptions.minReplicas = o.minReplicas;
    electionOptions.replicaTimeout = o.replicaTimeout;
    std::unique_ptr<baton::RedisStore> store;
    try {
        store = std::make_unique<baton::RedisStore>(o.redis, electionOptions);
        store->checkElectionAccess(o.resource + "-0");
    } catch (const baton::UrlError& e) {
        std::fprintf(stderr, "baton-agent: %s\n", baton::visible(e.what(), 4096).c_str());
        return 2;
    } catch (const baton::StoreError& e) {
        std::fprintf(stderr, "baton-agent: %s\n", baton::visible(e.what(), 4096).c_str());
        return 3;
    }
    sigset_t signals;
    sigemptyset(&signals);
    for (const int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, sig);
    // The main thread writes stdout as well as waiting for signals: no writer thread.
    LinePump out(signals);
    {
        baton::MemberInfo self;
        self.id = id;
        self.ttl = o.ttl;
        self.refresh = o.refresh;
        self.retry = o.retry;
        self.pollingOnly = o.pollingOnly;
        self.control = false; // it does not read baton:{R}:control (yet): nobody should send
        self.host = hostName();
        self.pid = ::getpid();
        self.shardCount = std::uint64_t(o.shards); // viewers show the shards nobody leads
        const std::string members = baton::RedisStore::key(o.resource, "members");
        Shards shards(o, id, *store, out);
        say(id, "electing for " + std::to_string(o.shards) + " shards of '" + o.resource + "' on " +
                    store->endpoint() + (o.fairShare ? ", fair share" : ""));
        // This thread keeps the family's presence entry (the members the share counts), on the
        // one command connection: no thread and no connection of its own.
        const auto beat = [&] {
            try {
                self.seenMs = baton::unixMsNow();
                self.shardsLed = std::uint64_t(shards.leading());
                store->heartbeat(o.resource, id, baton::wire::encode(self), o.ttl);
            } catch (const baton::StoreError& e) {
                say(id, std::string("presence: ") + e.what());
            }
        };
        int early = 0; // a signal while it settled
        if (o.fairShare) {
            // Members started together see each other before they campaign: its presence entry
            // first, then theirs (settle), then its own part of the shards at once and the rest
            // a refresh later (Shards::start).
            beat();
            Family f;
            early = settle(out, *store, o, id, beat, f);
            if (early == 0) {
                say(id, std::to_string(f.members) + (f.members == 1 ? " member" : " members") +
                            " at the start: campaigning for its part of the shards first");
                shards.start(f.members, f.rank, o.refresh);
            }
        } else {
            shards.start(1, 0, {});
        }
        for (bool first = true;; first = false) {
            if (const int sig = first ? early : out.serve(o.refresh); sig > 0) {
                say(id, std::string("got SIG") + sigabbrev_np(sig) + ", stopping");
                break;
            }
            beat();
            if (o.fairShare)
                if (Family f = family(*store, o.resource, id, o.shards); f.live > 0)
                    shards.rebalance(f.live, f.leastOther, std::move(f.overFloor));
        }
        // Every shard at once: revoke, release (pipelined), before anything else, so that the
        // handover waits for no other round trip. The presence entry goes next: a share only
        // shrinks after its excess has lasted a TTL, so the others' brief excess costs nothing.
        shards.stop();
        try {
            store->hdel(members, id);
        } catch (const baton::StoreError&) {
            // It expires within a TTL.
        }
    }
    if (!out.finish(1s))
        std::fprintf(stderr,
                     "baton-agent[%s] error: standard output is blocked: exiting without "
                     "writing the last event lines\n",
                     baton::visible(id, 128).c_str());
    return 0;
}

} // namespace agent
