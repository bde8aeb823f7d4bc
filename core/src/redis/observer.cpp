#include "baton/redis/observer.h"

#include "baton/redis/resource_directory.h"
#include "baton/wire/event_message.h"

namespace baton {

namespace {

// A release, a stop or an election: worth a look at once.
bool changesWhatIsSeen(const Notice& n) {
    if (n.kind == Notice::Kind::Released)
        return true;
    const auto e = wire::decodeEvent(n.payload);
    return e && (e->event == "stopped" || e->event == "elected");
}

} // namespace

Observer::Observer(RedisStore& store, std::string resource, Callbacks callbacks, Duration interval)
    : m_store(store)
    , m_resource(std::move(resource))
    , m_callbacks(std::move(callbacks))
    , m_interval(interval) {}

Observer::~Observer() {
    stop();
}

bool Observer::alive(const MemberInfo& m, double nowMs) {
    // An entry with an expiry lives until it (which readers check on the server's clock): its
    // writer may beat only once a TTL, when its election's calls carry it.
    if (m.expiresMs > 0)
        return m.state != "stopped";
    const double limit = std::chrono::duration<double, std::milli>(m.ttl + m.refresh).count() / 2;
    return m.state != "stopped" && nowMs - m.seenMs <= limit;
}

void Observer::start() {
    if (m_thread.joinable())
        return;
    {
        std::lock_guard guard(m_mutex);
        m_quit = false;
    }
    m_subscription = m_store.subscribe(m_resource, [this](const Notice& n) {
        if (n.kind == Notice::Kind::Message && m_callbacks.onEvent)
            m_callbacks.onEvent(n.payload);
        // A release or a stop changes what there is to see: look now.
        if (changesWhatIsSeen(n)) {
            {
                std::lock_guard guard(m_mutex);
                m_poke = true;
            }
            m_cv.notify_all();
        }
    });
    m_thread = std::thread([this] { run(); });
}

void Observer::stop() {
    {
        std::lock_guard guard(m_mutex);
        m_quit = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    m_subscription.reset();
}

ObservedState Observer::state() const {
    std::lock_guard guard(m_mutex);
    return m_state;
}

void Observer::run() {
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
        m_poke = false;
        lock.unlock();
        look();
        lock.lock();
        m_cv.wait_for(lock, m_interval, [this] { return m_quit || m_poke; });
    }
}

void Observer::look() {
    ObservedState s;
    try {
        s.holder = m_store.inspect(m_resource);
        s.atMs = unixMsNow();
        MemberEntries read = m_store.members(m_resource);
        if (m_callbacks.onError)
            for (const std::string& why : read.refused)
                m_callbacks.onError(why);
        for (const auto& [id, json] : read.entries) {
            auto m = wire::decodeMember(id, json);
            if (!m) {
                if (m_callbacks.onError)
                    m_callbacks.onError("member '" + id + "': " + m.error());
            } else if (directory::live(*m, read.serverMs, s.atMs)) {
                s.members.push_back(*std::move(m));
            }
        }
    } catch (const StoreError& e) {
        if (m_callbacks.onError)
            m_callbacks.onError(e.what());
        return;
    }
    std::map<std::string, MemberInfo> now;
    for (const auto& m : s.members)
        now.emplace(m.id, m);
    std::vector<MemberInfo> joined;
    std::vector<std::string> gone;
    {
        std::lock_guard guard(m_mutex);
        for (const auto& [id, m] : now)
            if (!m_known.count(id))
                joined.push_back(m);
        for (const auto& [id, m] : m_known)
            if (!now.count(id))
                gone.push_back(id);
        m_known = std::move(now);
        m_state = s;
    }
    for (const auto& m : joined)
        if (m_callbacks.onMemberJoined)
            m_callbacks.onMemberJoined(m);
    for (const auto& id : gone)
        if (m_callbacks.onMemberGone)
            m_callbacks.onMemberGone(id);
    if (m_callbacks.onState)
        m_callbacks.onState(s);
}

} // namespace baton
