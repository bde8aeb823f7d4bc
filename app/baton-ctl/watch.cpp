// baton-ctl watch: the resources' events and holder and member changes as JSON lines until
// Ctrl-C or SIGTERM. Reads only; what arrives faster than standard output takes is counted and
// dropped, never piled up.

#include "ctl.h"
#include "render.h"

#include <baton/redis/observer.h>
#include <baton/redis/resource_directory.h>

#include <line_pump.h>

#include <csignal>
#include <map>
#include <mutex>

namespace ctl {

namespace {

using baton::app::LinePump;

// Past this many lines waiting for standard output, new ones are dropped and counted.
constexpr std::size_t kMostLines = 10'000;

// One resource's observer, its callbacks turned into lines.
class ResourceWatch {
public:
    ResourceWatch(baton::RedisStore& store, const std::string& resource, LinePump& out)
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
    LinePump& m_out;
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
    // Taken by the pump's signalfd, never by a handler; blocked before any thread starts.
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
    // Lines are written only as stdout takes them, so a reader who stopped reading (a full
    // pipe, a terminal on Ctrl-S) never holds up Ctrl-C.
    LinePump out(ending, kMostLines);
    std::map<std::string, std::unique_ptr<ResourceWatch>> watches;
    try {
        for (const std::string& resource : r.resources)
            if (!watches.count(resource))
                watches[resource] = std::make_unique<ResourceWatch>(*store, resource, out);
    } catch (const baton::StoreError& e) {
        watches.clear();
        fail(e, "watch");
    }
    std::uint64_t reported = 0;
    while (!out.readerGone() && out.serve(std::chrono::seconds(1)) == 0) {
        if (const std::uint64_t dropped = out.dropped(); dropped > reported) {
            out.push(jsonLine(
                {{"t", baton::unixMsNow()}, {"event", "dropped"}, {"lines", dropped - reported}}));
            reported = dropped;
        }
    }
    watches.clear();
    out.finish(std::chrono::milliseconds(200)); // what was seen before the end, if it is taken
    return Ok;
}

} // namespace ctl
