#include "redis_carried.h"

namespace baton {

void RedisStore::carryPresence(const std::string& resource, const std::string& id,
                               const std::string& entry, Duration life) {
    if (id.size() > redis_detail::kMaxIdentity || entry.size() > redis_detail::kMaxMemberEntry)
        throw StoreError("presence: an id or entry longer than Baton reads back");
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(life).count();
    if (ms <= 0)
        throw StoreError("presence: life must be at least 1ms, got " + formatDuration(life));
    std::lock_guard guard(m_carried->mutex);
    auto& e = m_carried->byResource[resource];
    e.id = id;
    e.json = entry;
    e.lifeMs = std::to_string(ms);
}

void RedisStore::dropPresence(const std::string& resource) {
    std::lock_guard guard(m_carried->mutex);
    m_carried->byResource.erase(resource);
}

TimePoint RedisStore::presenceCarriedAt(const std::string& resource) const {
    std::lock_guard guard(m_carried->mutex);
    const auto it = m_carried->byResource.find(resource);
    return it == m_carried->byResource.end() ? TimePoint{} : it->second.answeredAt;
}

} // namespace baton
