#pragma once
// The presence entries a RedisStore's acquires and extends carry (RedisStore::carryPresence),
// used by redis_store.cpp and redis_carried.cpp.

#include "redis_scripts.h"

#include "baton/redis/redis_store.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace baton {

// The presence entries that acquire and extend carry, by resource.
struct RedisStore::Carried {
    struct Entry {
        std::string id, json;
        std::string lifeMs;
        TimePoint answeredAt{};
    };
    mutable std::mutex mutex;
    std::map<std::string, Entry> byResource;

    // The beat's keys and arguments to append to a call on `resource`, if its entry is carried.
    bool append(const std::string& resource, std::vector<std::string>& keys,
                std::vector<std::string>& args) const {
        std::lock_guard guard(mutex);
        const auto it = byResource.find(resource);
        if (it == byResource.end())
            return false;
        keys.push_back(key(resource, "members"));
        args.insert(args.end(), {it->second.id, it->second.json, it->second.lifeMs,
                                 std::to_string(redis_detail::kMaxMembers)});
        return true;
    }
    void answered(const std::string& resource) {
        std::lock_guard guard(mutex);
        if (const auto it = byResource.find(resource); it != byResource.end())
            it->second.answeredAt = SteadyClock::instance().now();
    }
};

} // namespace baton
