// The value at baton:{R}:lock, which any Redis client can write: decoding never crashes, a lock
// value round-trips, and its fence is written exactly (all 64 bits, never through a double).

#include "fuzz_check.h"

#include <baton/wire/lock_value.h>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto value = wire::decodeLockValue(fuzz::view(data, size));
    fuzz::requireRoundTrip(value, wire::decodeLockValue, "lock value");
    if (value)
        fuzz::require(wire::encode(*value).find("\"fence\":" + std::to_string(value->fence)) !=
                          std::string::npos,
                      "lock value: the fence is not written exactly");
    return 0;
}
