// Control messages on baton:{R}:control, which any Redis client can publish: neither decoder
// crashes, a message round-trips, and a message that decodes has the header it was read by.

#include "fuzz_check.h"

#include <baton/wire/control.h>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::view(data, size);
    const auto header = wire::decodeControlHeader(text);
    const auto message = wire::decodeControl(text);
    fuzz::requireRoundTrip(message, wire::decodeControl, "control message");
    if (message)
        fuzz::require(header && header->to == message->to &&
                          header->cmd == wire::commandName(message->command),
                      "control message: decodes, but its header does not or differs");
    return 0;
}
