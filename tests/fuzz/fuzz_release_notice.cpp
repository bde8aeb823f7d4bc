// Release notices on baton:{R}:events, which any Redis client can publish: decoding never
// crashes, a notice round-trips, and it also reads as the election event "released".

#include "fuzz_check.h"

#include <baton/wire/event_message.h>
#include <baton/wire/lock_value.h>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto notice = wire::decodeReleaseNotice(fuzz::view(data, size));
    fuzz::requireRoundTrip(notice, wire::decodeReleaseNotice, "release notice");
    if (notice && !notice->id.empty()) {
        const auto event = wire::decodeEvent(wire::encode(*notice));
        fuzz::require(event && event->event == "released" && event->id == notice->id &&
                          event->fence == notice->fence,
                      "release notice: does not read as the event \"released\"");
    }
    return 0;
}
