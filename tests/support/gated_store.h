#pragma once
// A store whose extend calls hang, once asked to, until the test lets them go (a hung
// connection as the election sees it).

#include <baton/store/forwarding_store.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace baton::test {

class GatedStore final : public ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    std::atomic<bool> hangExtends{false};
    std::atomic<int> hanging{0};
    void open() {
        {
            std::lock_guard guard(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }
    bool extend(const std::string& r, const std::string& t, Duration ttl) override {
        if (hangExtends) {
            ++hanging;
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_open; });
            --hanging;
        }
        return m_inner.extend(r, t, ttl);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

} // namespace baton::test
