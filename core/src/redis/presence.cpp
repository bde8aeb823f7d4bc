#include "baton/redis/presence.h"

#include "baton/wire/json.h"

#include <cmath>

namespace baton {

namespace {

std::int64_t toMs(Duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

} // namespace

std::string MemberInfo::toJson() const {
    return JsonWriter()
        .add("state", state)
        .add("fence", fence)
        .add("leader", leader)
        .add("ttl", toMs(ttl))
        .add("refresh", toMs(refresh))
        .add("retry", toMs(retry))
        .add("pollingOnly", pollingOnly)
        .add("control", control)
        .add("host", host)
        .add("pid", pid)
        .add("seen", seenMs)
        .str();
}

namespace {

// A number of the entry, checked to lie in [min, max] before any conversion.
double within(const JsonObject& o, const char* key, double min, double max) {
    const double v = o.number(key);
    if (!(v >= min && v <= max))
        throw std::invalid_argument(std::string("\"") + key + "\" is out of range");
    return v;
}

std::chrono::milliseconds millis(const JsonObject& o, const char* key) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(within(o, key, 0, 1e10)));
}

} // namespace

MemberInfo MemberInfo::fromJson(const std::string& id, const std::string& json) {
    const JsonObject o = JsonObject::parse(json);
    MemberInfo m;
    m.id = id;
    m.state = o.string("state", "follower");
    m.fence = static_cast<std::uint64_t>(within(o, "fence", 0, 9007199254740992.0));
    m.leader = o.string("leader");
    m.ttl = millis(o, "ttl");
    m.refresh = millis(o, "refresh");
    m.retry = millis(o, "retry");
    m.pollingOnly = o.boolean("pollingOnly");
    m.control = o.boolean("control");
    m.host = o.string("host");
    m.pid = static_cast<std::int64_t>(within(o, "pid", 0, 4294967295.0));
    m.seenMs = within(o, "seen", 0, 1e15);
    if (!o.has("seen") || m.ttl.count() <= 0)
        throw std::invalid_argument("not a member entry: needs \"seen\" and a positive \"ttl\"");
    return m;
}

double unixMsNow() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double unixMs(TimePoint at, const Clock& clock) {
    return unixMsNow() - std::chrono::duration<double, std::milli>(clock.now() - at).count();
}

std::string eventJson(const Event& e, const std::string& id, const std::string& resource,
                      const Clock& clock) {
    JsonWriter w;
    w.add("t", unixMs(e.at, clock)).add("id", id).add("resource", resource);
    w.add("event", std::string(eventName(e.type)));
    switch (e.type) {
    case EventType::Elected:
    case EventType::Extended:
        w.add("fence", e.fence).add("deadline", unixMs(e.deadline, clock));
        break;
    case EventType::Revoked:
        w.add("fence", e.fence).add("reason", std::string(reasonName(e.reason)));
        break;
    case EventType::LeaderChanged:
        w.add("leader", e.leader).add("fence", e.fence);
        break;
    case EventType::ExtendFailed:
    case EventType::Error:
        w.add("reason", e.message);
        break;
    default:
        break;
    }
    return w.str();
}

Presence::Presence(RedisStore& store, std::string resource, MemberInfo self,
                   std::function<void(const std::string&)> onError)
    : m_store(store)
    , m_resource(std::move(resource))
    , m_onError(std::move(onError))
    , m_self(std::move(self)) {
    m_thread = std::thread([this] { run(); });
}

Presence::~Presence() {
    leave();
}

void Presence::update(const std::function<void(MemberInfo&)>& change) {
    {
        std::lock_guard guard(m_mutex);
        change(m_self);
        m_dirty = true;
    }
    m_cv.notify_all();
}

void Presence::publish(std::string json) {
    {
        std::lock_guard guard(m_mutex);
        m_queue.push_back(std::move(json));
    }
    m_cv.notify_all();
}

void Presence::leave() {
    {
        std::lock_guard guard(m_mutex);
        if (m_leaving)
            return;
        m_leaving = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void Presence::run() {
    const std::string members = RedisStore::key(m_resource, "members");
    const std::string channel = RedisStore::key(m_resource, "events");
    std::unique_lock lock(m_mutex);
    auto nextBeat = SteadyClock::instance().now();
    while (true) {
        const bool leaving = m_leaving;
        std::deque<std::string> queue = std::exchange(m_queue, {});
        const bool beat = m_dirty || SteadyClock::instance().now() >= nextBeat;
        MemberInfo self = m_self;
        m_dirty = false;
        lock.unlock();
        try {
            for (const auto& json : queue)
                m_store.publishChannel(channel, json);
            if (leaving) {
                m_store.hdel(members, self.id);
            } else if (beat) {
                self.seenMs = unixMsNow();
                m_store.hset(members, self.id, self.toJson());
            }
        } catch (const std::exception& e) {
            if (m_onError)
                m_onError(std::string("presence: ") + e.what());
        }
        lock.lock();
        if (leaving)
            return;
        if (beat)
            nextBeat = SteadyClock::instance().now() + m_self.refresh;
        m_cv.wait_until(lock, nextBeat,
                        [this] { return m_leaving || m_dirty || !m_queue.empty(); });
    }
}

} // namespace baton
