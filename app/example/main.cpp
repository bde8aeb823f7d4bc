// The seed's "Basic Leader Election", in C++ on the embedded store: two instances of a job
// scheduler share one resource; the leader schedules jobs, the other processes them; when the
// leader shuts down, the standby takes over at once.

#include <baton/baton.h>

#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

static baton::Config schedulerConfig(const char* name) {
    baton::Config config;
    config.resource = "job-scheduler";
    config.identity = name;
    config.timing.ttl = 5s;
    config.timing.refreshInterval = 1s;
    config.onElected = [name] { std::printf("%s: this instance is now the leader!\n", name); };
    config.onRevoked = [name] { std::printf("%s: leadership lost!\n", name); };
    return config;
}

int main() {
    baton::MemoryStore store; // the embedded store; a RedisStore works across processes
    baton::Locker locker(store);

    baton::Election a(locker, schedulerConfig("node-a"));
    baton::Election b(locker, schedulerConfig("node-b"));
    a.start();
    std::this_thread::sleep_for(50ms); // let node-a win, for a predictable demo
    b.start();

    for (int tick = 0; tick < 6; ++tick) {
        if (tick == 3) {
            std::printf("node-a: shutting down\n");
            a.stop(); // revokes, then releases: node-b is woken by the release notice
        }
        for (baton::Election* e : {&a, &b}) {
            if (e->isLeader())
                std::printf("%s: scheduling jobs (fence %llu)\n", e->identity().c_str(),
                            static_cast<unsigned long long>(e->fence()));
            else if (e->running())
                std::printf("%s: processing jobs (leader: %s)\n", e->identity().c_str(),
                            e->leader().empty() ? "none seen yet" : e->leader().c_str());
        }
        std::this_thread::sleep_for(200ms);
    }
    b.stop();
    return 0;
}
