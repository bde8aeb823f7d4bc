// Presence entries in baton:{R}:members, which any Redis client can write: decoding never
// crashes, and an entry round-trips.

#include "fuzz_check.h"

#include <baton/wire/member.h>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto decode = [](std::string_view text) { return wire::decodeMember("node-1", text); };
    fuzz::requireRoundTrip(decode(fuzz::view(data, size)), decode, "member entry");
    return 0;
}
