#pragma once
// The embedded store: everything in one process's memory, expiry on a Clock. Thread-safe.

#include "baton/store/store.h"
#include "baton/store/subscriber_list.h"

#include <mutex>
#include <unordered_map>

namespace baton {

class MemoryStore final : public Store {
public:
    explicit MemoryStore(const Clock& clock = SteadyClock::instance());
    ~MemoryStore() override;

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override;
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override;
    bool release(const std::string& resource, const std::string& token) override;
    std::optional<LockInfo> inspect(const std::string& resource) override;

    void publish(const std::string& resource, const std::string& payload) override;
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override;

    /// Plain values (the seed's cache). A ttl of zero means no expiry.
    std::optional<std::string> get(const std::string& key);
    void set(const std::string& key, const std::string& value, Duration ttl);
    bool del(const std::string& key);

    const Clock& clock() const { return m_clock; }

private:
    struct Lock {
        std::string token;
        std::string identity;
        std::uint64_t fence = 0;
        TimePoint expiresAt;
    };
    struct Value {
        std::string value;
        TimePoint expiresAt = TimePoint::max();
    };
    Lock* liveLock(const std::string& resource, TimePoint now);
    void notify(const Notice& notice);

    const Clock& m_clock;
    std::mutex m_mutex;
    std::unordered_map<std::string, Lock> m_locks;
    std::unordered_map<std::string, std::uint64_t> m_fences;
    std::unordered_map<std::string, Value> m_values;
    SubscriberList<Notice> m_subscribers;
};

} // namespace baton
