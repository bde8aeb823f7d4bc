// Durations as users type them (flags, scenario files, control messages): parseDuration throws
// only std::invalid_argument, and what it reads prints (formatDuration) and reads back the same.

#include "fuzz_check.h"

#include <baton/base/clock.h>

#include <stdexcept>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::view(data, size));
    Duration d{};
    try {
        d = parseDuration(text);
    } catch (const std::invalid_argument&) {
        return 0;
    }
    const std::string shown = formatDuration(d);
    Duration back{};
    try {
        back = parseDuration(shown);
    } catch (const std::invalid_argument& e) {
        fuzz::require(false, "'" + shown + "' (formatDuration) does not parse: " + e.what());
    }
    fuzz::require(back == d, "'" + fuzz::shortened(text) + "' -> '" + shown + "' reads back as " +
                                 std::to_string(back.count()) + "ns, not " +
                                 std::to_string(d.count()) + "ns");
    return 0;
}
