#pragma once
// Test support: RedisOptions that give up and reconnect fast (a test of a dead, moved or
// demoted server waits hundreds of milliseconds, not seconds), and the message a call throws.

#include <baton/redis/redis_store.h>

#include <QString>

#include <string>

namespace baton::test {

inline RedisOptions quickOptions() {
    using namespace std::chrono_literals;
    RedisOptions o;
    o.connectTimeout = 300ms;
    o.commandTimeout = 300ms;
    o.reconnectBackoffMin = 20ms;
    o.reconnectBackoffMax = 200ms;
    return o;
}

/// The message of the `Error` that `call` throws (empty: none was thrown; any other exception
/// goes on and fails the test).
template <typename Error = StoreError, typename Call>
QString errorOf(Call call) {
    try {
        call();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

/// The message of the `Error` that making a RedisStore on `url` throws (empty: none).
template <typename Error = StoreError>
QString storeError(const std::string& url, const RedisOptions& options = quickOptions()) {
    return errorOf<Error>([&] { RedisStore store(url, options); });
}

inline QString text(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace baton::test
