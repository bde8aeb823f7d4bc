#include "baton/store/locker.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <sys/random.h>

namespace baton {

Locker::Locker(Store& store, TokenSource tokens)
    : m_store(store)
    , m_tokens(tokens ? std::move(tokens) : TokenSource(&Locker::randomToken)) {}

LockAttempt Locker::tryLock(const std::string& resource, const std::string& identity,
                            Duration ttl) {
    return tryLock(resource, identity, ttl, m_tokens());
}

LockAttempt Locker::tryLock(const std::string& resource, const std::string& identity, Duration ttl,
                            const std::string& token) {
    AcquireReply reply = m_store.acquire(resource, token, identity, ttl);
    LockAttempt attempt;
    attempt.holder = std::move(reply.holder);
    if (reply.acquired)
        attempt.lease = Lease{resource, token, reply.fence};
    return attempt;
}

bool Locker::refresh(const Lease& lease, Duration ttl) {
    return m_store.extend(lease.resource, lease.token, ttl);
}

bool Locker::unlock(const Lease& lease) {
    return m_store.release(lease.resource, lease.token);
}

std::string Locker::randomToken() {
    std::array<unsigned char, 16> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw StoreError(std::string("cannot read random bytes from the OS: ") +
                             std::strerror(errno));
        }
        filled += static_cast<std::size_t>(n);
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    token.reserve(32);
    for (unsigned char b : bytes) {
        token.push_back(hex[b >> 4]);
        token.push_back(hex[b & 15]);
    }
    return token;
}

} // namespace baton
