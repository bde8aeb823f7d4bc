// Election events on baton:{R}:events (and the agent's stdout lines): decoding never crashes,
// and an event round-trips through one line of JSON whatever its strings held.

#include "fuzz_check.h"

#include <baton/wire/event_message.h>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::requireRoundTrip(wire::decodeEvent(fuzz::view(data, size)), wire::decodeEvent,
                           "event message");
    return 0;
}
