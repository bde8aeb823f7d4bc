#pragma once
// The presence entries a RedisStore's acquires and extends carry (RedisStore::carryPresence),
// used by redis_store.cpp and redis_carried.cpp.

#include "redis_store_impl.h"

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

    // Appends the beat's keys and arguments to `call` (an Acquire or an Extend on `resource`)
    // and makes its script the carrying one, if the resource's entry is carried.
    void carry(const std::string& resource, RedisStore::Impl::Call& call) const {
        using namespace redis_detail;
        if (call.script != Acquire && call.script != Extend)
            return;
        std::lock_guard guard(mutex);
        const auto it = byResource.find(resource);
        if (it == byResource.end())
            return;
        call.script = call.script == Acquire ? AcquireCarry : ExtendCarry;
        call.keys.push_back(key(resource, "members"));
        call.args.insert(call.args.end(), {it->second.id, it->second.json, it->second.lifeMs,
                                           std::to_string(kMaxMembers)});
    }
    // After an answer to a call that ran `script` on `resource`: when it carried the entry.
    void answered(const std::string& resource, redis_detail::ScriptId script) {
        if (script != redis_detail::AcquireCarry && script != redis_detail::ExtendCarry)
            return;
        std::lock_guard guard(mutex);
        if (const auto it = byResource.find(resource); it != byResource.end())
            it->second.answeredAt = SteadyClock::instance().now();
    }
};

} // namespace baton
