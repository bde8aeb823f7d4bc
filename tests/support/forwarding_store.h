#pragma once
// Test support: a Store that passes every call to another; tests override the one call whose
// behaviour they bend (hang it, lose its answer, ...).

#include <baton/store.h>

namespace baton::test {

class ForwardingStore : public Store {
public:
    explicit ForwardingStore(Store& inner)
        : m_inner(inner) {}

    AcquireReply acquire(const std::string& r, const std::string& t, const std::string& i,
                         Duration ttl) override {
        return m_inner.acquire(r, t, i, ttl);
    }
    bool extend(const std::string& r, const std::string& t, Duration ttl) override {
        return m_inner.extend(r, t, ttl);
    }
    bool release(const std::string& r, const std::string& t) override {
        return m_inner.release(r, t);
    }
    std::optional<LockInfo> inspect(const std::string& r) override { return m_inner.inspect(r); }
    void publish(const std::string& r, const std::string& p) override { m_inner.publish(r, p); }
    Subscription subscribe(const std::string& r, std::function<void(const Notice&)> fn) override {
        return m_inner.subscribe(r, std::move(fn));
    }
    std::optional<std::string> get(const std::string& k) override { return m_inner.get(k); }
    void set(const std::string& k, const std::string& v, Duration ttl) override {
        m_inner.set(k, v, ttl);
    }
    bool del(const std::string& k) override { return m_inner.del(k); }

protected:
    Store& m_inner;
};

} // namespace baton::test
