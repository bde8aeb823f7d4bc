// baton-ctl's reading commands (resources, status) and resign: the safe manual failover.

#include "ctl.h"
#include "render.h"

#include <baton/base/text.h>
#include <baton/wire/control.h>
#include <baton/wire/event_message.h>
#include <baton/wire/lock_value.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>

namespace ctl {

using namespace std::chrono_literals;

std::unique_ptr<baton::RedisStore> connect(const std::string& url) {
    baton::RedisOptions options;
    options.connectTimeout = 2s;
    options.commandTimeout = 2s;
    try {
        return std::make_unique<baton::RedisStore>(url, options);
    } catch (const baton::UrlError& e) {
        throw Failure(BadUsage, e.what());
    } catch (const baton::StoreError& e) {
        throw Failure(Unreachable, e.what());
    }
}

void fail(const baton::StoreError& e, const std::string& doing) {
    const std::string what = e.what();
    // explainAccess words a refusal with "may not"; the server's own word is NOPERM.
    const bool refused =
        what.find("NOPERM") != std::string::npos || what.find(" may not ") != std::string::npos;
    throw Failure(refused ? NotPermitted : Unreachable, doing + ": " + what);
}

namespace {

std::string oneDecimal(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return text;
}

void print(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
}

} // namespace

int resources(const Request& r) {
    auto store = connect(r.redis);
    baton::DirectoryOptions options;
    options.foreignPatterns = r.patterns;
    options.pause = 1ms; // between SCAN pages: a big keyspace never hogs the server
    baton::DirectoryPass pass;
    try {
        pass = baton::ResourceDirectory(*store, options).scan();
    } catch (const baton::StoreError& e) {
        fail(e, "resources");
    }
    if (r.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& info : pass.resources)
            list.push_back(toJson(info));
        print(jsonLine({{"server", store->endpoint()},
                        {"atMs", pass.atMs},
                        {"resources", list},
                        {"errors", pass.errors}}) +
              "\n");
    } else {
        print(pass.resources.empty() ? std::string("no resources on " + store->endpoint() + "\n")
                                     : table(pass.resources, baton::unixMsNow()));
        for (const auto& e : pass.errors)
            std::fprintf(stderr, "baton-ctl: %s\n", baton::visible(e, 500).c_str());
    }
    return Ok;
}

int status(const Request& r) {
    auto store = connect(r.redis);
    baton::ResourceInfo info;
    try {
        info = baton::ResourceDirectory(*store).read(r.resources.at(0));
    } catch (const baton::StoreError& e) {
        fail(e, "status");
    }
    print(r.json ? jsonLine(toJson(info)) + "\n" : statusText(info, baton::unixMsNow()));
    return Ok;
}

namespace {

// Waits for a holder other than `old` with a fence above `fence`: woken by the resource's
// events (an "elected"), and looking every 50 ms besides.
class NewLeaderWait {
public:
    NewLeaderWait(baton::RedisStore& store, std::string resource)
        : m_store(store)
        , m_resource(std::move(resource)) {
        m_subscription = store.subscribe(m_resource, [this](const baton::Notice& n) {
            const auto e = baton::wire::decodeEvent(n.payload);
            if (e && e->event == "elected") {
                std::lock_guard guard(m_mutex);
                m_poked = true;
                m_cv.notify_all();
            }
        });
    }

    std::optional<baton::ResourceInfo> until(const std::string& old, std::uint64_t fence,
                                             baton::TimePoint deadline) {
        baton::ResourceDirectory directory(m_store);
        while (true) {
            baton::ResourceInfo now = directory.read(m_resource);
            if (now.held() && now.holder != old && now.fence > fence)
                return now;
            std::unique_lock lock(m_mutex);
            if (baton::SteadyClock::instance().now() >= deadline)
                return std::nullopt;
            m_cv.wait_until(lock, std::min(deadline, baton::SteadyClock::instance().now() + 50ms),
                            [this] { return m_poked; });
            m_poked = false;
        }
    }

private:
    baton::RedisStore& m_store;
    std::string m_resource;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_poked = false;
    baton::Subscription m_subscription;
};

// Checks that `info` has a leader that may be asked to resign; Failure otherwise.
void checkResignable(const baton::ResourceInfo& info, bool force) {
    const std::string name = "'" + baton::visible(info.name, 200) + "'";
    if (!info.error.empty())
        throw Failure(NotInTime, name + ": " + info.error);
    if (!info.held())
        throw Failure(NotInTime, name + " has no leader to resign");
    // Electors without presence entries (a library user's) say nothing: ask, and wait.
    bool anotherLive = info.members.empty();
    const baton::MemberInfo* leader = nullptr;
    for (const auto& m : info.members) {
        anotherLive = anotherLive || (m.id != info.holder && m.state == "follower");
        if (m.id == info.holder)
            leader = &m;
    }
    if (!anotherLive)
        throw Failure(NotInTime, "no other live follower of " + name +
                                     " could take over: resigning would only leave it "
                                     "without a leader");
    if (leader && !leader->control && !force)
        throw Failure(NotPermitted,
                      "the leader '" + baton::visible(leader->id, 200) + "' of " + name +
                          " was not started with --allow-control, so it ignores resign; "
                          "restart it with --allow-control (or, knowing the risk, use "
                          "--force-delete)");
}

void warnOfForce(const baton::ResourceInfo& info) {
    std::fprintf(stderr,
                 "baton-ctl: WARNING: --force-delete releases %s without its holder's consent. "
                 "'%s' still believes it leads until its own deadline (up to its ttl, %s): "
                 "until then two leaders may act at once. Only downstream systems that reject "
                 "work carrying a fence below the new leader's (the old one's is %llu) are "
                 "protected. Prefer 'resign' on a leader started with --allow-control.\n",
                 baton::visible(info.key, 200).c_str(), baton::visible(info.holder, 200).c_str(),
                 info.ttl ? baton::formatDuration(*info.ttl).c_str() : "no expiry",
                 static_cast<unsigned long long>(info.fence));
}

// Releases the lock by the token it carries (compare-and-delete, with the release notice).
void forceRelease(baton::RedisStore& store, const baton::ResourceInfo& info) {
    const auto value = store.get(info.key);
    const auto lock = value ? baton::wire::decodeLockValue(*value)
                            : baton::wire::Decoded<baton::wire::LockValue>::failure("gone");
    if (!lock || lock->fence != info.fence)
        throw Failure(NotInTime, "the lock changed hands before it could be released");
    if (!store.release(info.name, lock->token))
        throw Failure(NotInTime, "the lock changed hands before it could be released");
}

} // namespace

int resign(const Request& r) {
    auto store = connect(r.redis);
    const std::string& resource = r.resources.at(0);
    try {
        const baton::ResourceInfo info = baton::ResourceDirectory(*store).read(resource);
        checkResignable(info, r.forceDelete);
        NewLeaderWait wait(*store, resource);
        const baton::TimePoint start = baton::SteadyClock::instance().now();
        if (r.forceDelete) {
            warnOfForce(info);
            forceRelease(*store, info);
        } else {
            store->publishChannel(
                baton::RedisStore::key(resource, "control"),
                baton::wire::encode(baton::wire::ControlMessage::resign(info.holder, r.holdOff)));
        }
        const auto next = wait.until(info.holder, info.fence, start + r.wait);
        if (!next)
            throw Failure(NotInTime, "no new leader of '" + baton::visible(resource, 200) +
                                         "' within " + baton::formatDuration(r.wait) + " ('" +
                                         baton::visible(info.holder, 200) +
                                         "' may be paused, partitioned or busy)");
        const double elapsedMs =
            std::chrono::duration<double, std::milli>(baton::SteadyClock::instance().now() - start)
                .count();
        if (r.json)
            print(jsonLine({{"resource", resource},
                            {"from", info.holder},
                            {"fromFence", info.fence},
                            {"holder", next->holder},
                            {"fence", next->fence},
                            {"elapsedMs", elapsedMs}}) +
                  "\n");
        else
            print("new leader of " + baton::visible(resource, 200) + ": " +
                  baton::visible(next->holder, 200) + " (fence " + std::to_string(next->fence) +
                  ", was " + baton::visible(info.holder, 200) + " at fence " +
                  std::to_string(info.fence) + ") after " + oneDecimal(elapsedMs) + " ms\n");
        return Ok;
    } catch (const baton::StoreError& e) {
        fail(e, "resign");
    }
}

} // namespace ctl
