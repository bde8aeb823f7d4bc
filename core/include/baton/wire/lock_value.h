#pragma once
// What the lock scripts write to Redis: the lock value at baton:{R}:lock and the release
// notice published on baton:{R}:events. Fences are exact 64-bit integers.

#include "baton/wire/decoded.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace baton::wire {

/// The value of baton:{R}:lock: {"id": holder, "fence": N, "token": secret}.
struct LockValue {
    std::string id;
    std::uint64_t fence = 0;
    std::string token;
    bool operator==(const LockValue&) const = default;
};

/// A release notice: {"event": "released", "fence": N, "id": holder}.
struct ReleaseNotice {
    std::string id;
    std::uint64_t fence = 0;
    bool operator==(const ReleaseNotice&) const = default;
};

std::string encode(const LockValue& value);
std::string encode(const ReleaseNotice& notice);
Decoded<LockValue> decodeLockValue(std::string_view text);
/// Fails for any message on the channel that is not a release notice (election events too).
Decoded<ReleaseNotice> decodeReleaseNotice(std::string_view text);

} // namespace baton::wire
