#pragma once
// The store under a lock (the seed's `cache`): the atomic primitives a correct lock needs, each
// one atomic step in the store, and the release notices that wake followers.

#include "baton/base/clock.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace baton {

/// A store call that could not be carried out (unreachable, timed out, refused, bad data).
/// The message names the problem and, where there is one, the way out.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Who holds a lock, with which fence, and for how much longer (as the store sees it).
struct LockInfo {
    std::string identity;
    std::uint64_t fence = 0;
    Duration remaining{};
};

/// The answer to an acquire: taken (with a new fence), or the current holder.
struct AcquireReply {
    bool acquired = false;
    std::uint64_t fence = 0; ///< the new term's fence when acquired
    LockInfo holder;         ///< the holder when not acquired
};

/// Something published on a resource: a release notice, or a message (election events).
struct Notice {
    enum class Kind { Released, Message };
    Kind kind = Kind::Message;
    std::string resource;
    std::string identity;    ///< Released: who released
    std::uint64_t fence = 0; ///< Released: the fence of the term that ended
    std::string payload;     ///< Message: the text published
};

/// Keeps a subscription alive; cancels it when reset or destroyed. Cancelling waits for a
/// callback that is running, so never cancel from inside the subscription's own callback.
class Subscription {
public:
    Subscription() = default;
    explicit Subscription(std::function<void()> cancel)
        : m_cancel(std::move(cancel)) {}
    Subscription(Subscription&& other) noexcept
        : m_cancel(std::exchange(other.m_cancel, {})) {}
    Subscription& operator=(Subscription&& other) noexcept {
        if (this != &other) {
            reset();
            m_cancel = std::exchange(other.m_cancel, {});
        }
        return *this;
    }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription() { reset(); }

    void reset() {
        if (auto cancel = std::exchange(m_cancel, {}))
            cancel();
    }
    explicit operator bool() const { return static_cast<bool>(m_cancel); }

private:
    std::function<void()> m_cancel;
};

/// A lock store: the lock's atomic primitives and its notices, nothing else (decorators derive
/// from ForwardingStore). Every call may throw StoreError; none may block forever (stores have
/// timeouts). MemoryStore and RedisStore also keep the seed's plain get/set/del.
class Store {
public:
    virtual ~Store() = default;

    /// If `resource` is free: issue the next fence and make `token` its holder for `ttl`.
    /// If `token` already holds it (a retry of an acquire whose answer was lost): keep its
    /// fence and reset its TTL to `ttl`. Otherwise: report the holder and its remaining TTL.
    virtual AcquireReply acquire(const std::string& resource, const std::string& token,
                                 const std::string& identity, Duration ttl) = 0;
    /// Compare-and-extend: if `token` still holds `resource`, reset its TTL to `ttl`.
    virtual bool extend(const std::string& resource, const std::string& token, Duration ttl) = 0;
    /// Compare-and-delete: if `token` still holds `resource`, free it and notify subscribers.
    virtual bool release(const std::string& resource, const std::string& token) = 0;
    /// The current holder, if any.
    virtual std::optional<LockInfo> inspect(const std::string& resource) = 0;

    /// Publishes `payload` to the subscribers of `resource`.
    virtual void publish(const std::string& resource, const std::string& payload) = 0;
    /// Calls `fn` for every notice on `resource` until the subscription is dropped. `fn` runs
    /// on a thread of the store's: it must be quick and must not call the store.
    virtual Subscription subscribe(const std::string& resource,
                                   std::function<void(const Notice&)> fn) = 0;
};

} // namespace baton
