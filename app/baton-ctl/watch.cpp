// baton-ctl watch: the resources' events and holder and member changes as JSON lines until
// Ctrl-C or SIGTERM. Reads only; what arrives faster than standard output takes is counted and
// dropped, never piled up.

#include "ctl.h"
#include "render.h"

#include <baton/redis/observer.h>
#include <baton/redis/resource_directory.h>

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace ctl {

namespace {

// The lines to print, bounded: past `kMostLines` new ones are dropped and counted.
class LineQueue {
public:
    static constexpr std::size_t kMostLines = 10'000;

    void push(std::string line) {
        std::lock_guard guard(m_mutex);
        if (m_lines.size() >= kMostLines) {
            ++m_dropped;
            return;
        }
        m_lines.push_back(std::move(line));
        m_cv.notify_all();
    }
    void close() {
        std::lock_guard guard(m_mutex);
        m_closed = true;
        m_cv.notify_all();
    }
    /// Waits for lines; empty when closed. Reports drops as a line of their own.
    std::deque<std::string> take() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_closed || !m_lines.empty(); });
        std::deque<std::string> out =
            m_closed ? std::deque<std::string>{} : std::exchange(m_lines, {});
        if (m_dropped && !m_closed)
            out.push_back(jsonLine({{"t", baton::unixMsNow()},
                                    {"event", "dropped"},
                                    {"lines", std::exchange(m_dropped, 0)}}));
        return out;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::string> m_lines;
    std::uint64_t m_dropped = 0;
    bool m_closed = false;
};

// One resource's observer, its callbacks turned into lines.
class ResourceWatch {
public:
    ResourceWatch(baton::RedisStore& store, const std::string& resource, LineQueue& out)
        : m_resource(resource)
        , m_out(out)
        , m_observer(store, resource, callbacks()) {
        // The Observer hands on events only; release notices come here.
        m_releases = store.subscribe(resource, [this](const baton::Notice& n) {
            if (n.kind == baton::Notice::Kind::Released)
                line({{"event", "released"}, {"id", n.identity}, {"fence", n.fence}});
        });
        m_observer.start();
    }

private:
    baton::Observer::Callbacks callbacks() {
        baton::Observer::Callbacks c;
        c.onEvent = [this](const std::string& payload) { event(payload); };
        c.onState = [this](const baton::ObservedState& s) { state(s); };
        c.onMemberJoined = [this](const baton::MemberInfo& m) {
            line({{"event", "member-joined"}, {"member", toJson(m)}});
        };
        c.onMemberGone = [this](const std::string& id) {
            line({{"event", "member-gone"}, {"id", id}});
        };
        c.onError = [this](const std::string& why) {
            std::lock_guard guard(m_mutex);
            if (why != m_lastError) // a dead server fails every look: say it once
                line({{"event", "watch-error"}, {"reason", why}});
            m_lastError = why;
        };
        return c;
    }

    void line(nlohmann::json j) {
        if (!j.contains("t"))
            j["t"] = baton::unixMsNow();
        j["resource"] = m_resource;
        m_out.push(jsonLine(j));
    }

    void event(const std::string& payload) {
        auto j = nlohmann::json::parse(payload, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return line({{"event", "unreadable"}, {"text", payload.substr(0, 1024)}});
        if (!j.contains("event"))
            return; // an agent's start-up check, say: no event
        line(std::move(j));
    }

    void state(const baton::ObservedState& s) {
        const std::string holder = s.holder ? s.holder->identity : std::string();
        const std::uint64_t fence = s.holder ? s.holder->fence : 0;
        std::lock_guard guard(m_mutex);
        m_lastError.clear();
        if (m_seen && holder == m_holder && fence == m_fence)
            return;
        m_seen = true;
        m_holder = holder;
        m_fence = fence;
        nlohmann::json j{{"event", "holder"}, {"holder", nullptr}, {"fence", fence}};
        if (s.holder) {
            j["holder"] = holder;
            j["ttlMs"] =
                std::chrono::duration_cast<std::chrono::milliseconds>(s.holder->remaining).count();
        }
        line(std::move(j));
    }

    const std::string m_resource;
    LineQueue& m_out;
    std::mutex m_mutex;
    bool m_seen = false;
    std::string m_holder;
    std::uint64_t m_fence = 0;
    std::string m_lastError;
    baton::Subscription m_releases;
    baton::Observer m_observer; // last: stopped first, while the rest still exists
};

} // namespace

int watch(const Request& r) {
    // Taken by the waiter below, never by a handler; blocked before any thread starts.
    sigset_t ending;
    sigemptyset(&ending);
    for (const int sig : {SIGINT, SIGTERM, SIGHUP})
        sigaddset(&ending, sig);
    pthread_sigmask(SIG_BLOCK, &ending, nullptr);
    auto store = connect(r.redis);
    // Before any thread: a permission a watch lacks is said once, with the watcher's ACL line.
    try {
        baton::ResourceDirectory directory(*store);
        for (const std::string& resource : r.resources)
            directory.checkWatch(resource);
    } catch (const baton::StoreError& e) {
        fail(e, "watch");
    }
    LineQueue out;
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&ending, &sig);
        out.close();
    });
    std::map<std::string, std::unique_ptr<ResourceWatch>> watches;
    try {
        for (const std::string& resource : r.resources)
            if (!watches.count(resource))
                watches[resource] = std::make_unique<ResourceWatch>(*store, resource, out);
    } catch (const baton::StoreError& e) {
        watches.clear();
        ::kill(::getpid(), SIGTERM); // ends the waiter
        waiter.join();
        fail(e, "watch");
    }
    bool readerGone = false;
    while (!readerGone) {
        const std::deque<std::string> lines = out.take();
        if (lines.empty())
            break;
        for (const std::string& l : lines)
            readerGone = readerGone || std::fprintf(stdout, "%s\n", l.c_str()) < 0;
        readerGone = readerGone || std::fflush(stdout) != 0;
    }
    watches.clear();
    if (readerGone)
        ::kill(::getpid(), SIGTERM); // ends the waiter
    waiter.join();
    return Ok;
}

} // namespace ctl
