#include "baton/redis/presence.h"

namespace baton {

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

void Presence::carryOn(RedisStore& election) {
    {
        std::lock_guard guard(m_mutex);
        m_carrier = &election;
        m_dirty = true;
    }
    m_cv.notify_all();
}

void Presence::beat(MemberInfo self, RedisStore* carrier) {
    self.seenMs = unixMsNow();
    self.expiresMs = 0; // the server writes it, on its own clock
    // The entry turns stale one TTL after the beat (with a carrier, a little more: its calls
    // come a TTL apart): a member killed without cleaning up is pruned (here, by the others)
    // or ignored by readers by then.
    const Duration life = carrier ? self.ttl + kCarrySlack : self.ttl;
    const std::string entry = wire::encode(self);
    if (carrier)
        carrier->carryPresence(m_resource, self.id, entry, life);
    m_store.heartbeat(m_resource, self.id, entry, life);
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
        RedisStore* carrier = m_carrier;
        // A carried entry is written here only when no call carried it for a TTL.
        if (carrier && !m_dirty)
            nextBeat = std::max(nextBeat, carrier->presenceCarriedAt(m_resource) + m_self.ttl +
                                              kCarrySlack / 2);
        const bool beating = m_dirty || SteadyClock::instance().now() >= nextBeat;
        MemberInfo self = m_self;
        m_dirty = false;
        lock.unlock();
        try {
            for (const auto& json : queue)
                m_store.publishChannel(channel, json);
            if (leaving) {
                if (carrier)
                    carrier->dropPresence(m_resource);
                m_store.hdel(members, self.id);
            } else if (beating) {
                beat(self, carrier);
            }
        } catch (const std::exception& e) {
            if (m_onError)
                m_onError(std::string("presence: ") + e.what());
        }
        lock.lock();
        if (leaving)
            return;
        if (beating)
            nextBeat = SteadyClock::instance().now() +
                       (carrier ? m_self.ttl + kCarrySlack / 2 : m_self.refresh);
        m_cv.wait_until(lock, nextBeat,
                        [this] { return m_leaving || m_dirty || !m_queue.empty(); });
    }
}

} // namespace baton
