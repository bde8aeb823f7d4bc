#pragma once
// The base of every Store decorator: passes each call to another store. A decorator overrides
// only the calls it changes (counts, delays, fails, hangs).

#include "baton/store/store.h"

namespace baton {

class ForwardingStore : public Store {
public:
    explicit ForwardingStore(Store& inner)
        : m_inner(inner) {}

    AcquireReply acquire(const std::string& resource, const std::string& token,
                         const std::string& identity, Duration ttl) override {
        return m_inner.acquire(resource, token, identity, ttl);
    }
    bool extend(const std::string& resource, const std::string& token, Duration ttl) override {
        return m_inner.extend(resource, token, ttl);
    }
    bool release(const std::string& resource, const std::string& token) override {
        return m_inner.release(resource, token);
    }
    std::optional<LockInfo> inspect(const std::string& resource) override {
        return m_inner.inspect(resource);
    }
    void publish(const std::string& resource, const std::string& payload) override {
        m_inner.publish(resource, payload);
    }
    Subscription subscribe(const std::string& resource,
                           std::function<void(const Notice&)> fn) override {
        return m_inner.subscribe(resource, std::move(fn));
    }

protected:
    Store& m_inner;
};

} // namespace baton
