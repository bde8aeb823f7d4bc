#pragma once
// A distributed lock over any Store (the seed's `locker`), without its GET-then-SET: every
// step is one atomic primitive of the store, and only the token's owner can extend or release.

#include "baton/store/store.h"

#include <functional>
#include <optional>
#include <string>

namespace baton {

/// One held term of a lock: the secret token that proves ownership and the term's fence.
struct Lease {
    std::string resource;
    std::string token;
    std::uint64_t fence = 0;
};

/// The result of tryLock: a lease, or the current holder.
struct LockAttempt {
    std::optional<Lease> lease;
    LockInfo holder; ///< the current holder (yourself when the lease was taken)
};

class Locker {
public:
    using TokenSource = std::function<std::string()>;

    /// `tokens` defaults to randomToken(); a simulator may pass a deterministic source.
    explicit Locker(Store& store, TokenSource tokens = {});

    LockAttempt tryLock(const std::string& resource, const std::string& identity, Duration ttl);
    /// With a token of the caller's (newToken()); trying again with the same token after an
    /// error takes up the lock if the first try got through.
    LockAttempt tryLock(const std::string& resource, const std::string& identity, Duration ttl,
                        const std::string& token);
    /// A fresh token from this locker's source.
    std::string newToken() { return m_tokens(); }
    /// Compare-and-extend: false when the lease is no longer held.
    bool refresh(const Lease& lease, Duration ttl);
    /// Compare-and-delete: false when the lease was no longer held.
    bool unlock(const Lease& lease);

    Store& store() { return m_store; }

    /// 128 random bits from the operating system, as 32 hex digits.
    static std::string randomToken();

private:
    Store& m_store;
    TokenSource m_tokens;
};

} // namespace baton
