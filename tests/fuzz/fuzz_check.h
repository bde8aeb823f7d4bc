#pragma once
// What the fuzz targets check besides "no crash, no leak": a property that must hold for every
// input. A broken one prints what broke and aborts, so libFuzzer keeps the input as a crash.

#include <baton/wire/control.h>
#include <baton/wire/decoded.h>
#include <baton/wire/event_message.h>
#include <baton/wire/lock_value.h>
#include <baton/wire/member.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace baton::fuzz {

inline void require(bool ok, const std::string& what) {
    if (ok)
        return;
    std::fprintf(stderr, "fuzz: property broken: %s\n", what.c_str());
    std::abort();
}

inline std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// Whether `s` holds no byte below 0x20 (no newline, no escape code): one line, as JSON escapes.
inline bool oneLine(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20)
            return false;
    return true;
}

/// `s` cut to a length that a failure report can show.
inline std::string shortened(std::string_view s) {
    return s.size() <= 300 ? std::string(s) : std::string(s.substr(0, 300)) + "...";
}

/// For a wire message that decoded: its encoding is one line, and decodes back to the same
/// message (decode(encode(decode(x))) == decode(x)).
template <class T, class Decode>
void requireRoundTrip(const wire::Decoded<T>& first, Decode decode, const std::string& what) {
    if (!first)
        return;
    const std::string text = wire::encode(*first);
    require(oneLine(text), what + ": encode() wrote a control character: " + shortened(text));
    const wire::Decoded<T> second = decode(text);
    require(static_cast<bool>(second), what + ": decode(encode(decode(x))) failed: " +
                                           second.error() + " for " + shortened(text));
    require(*second == *first,
            what + ": decode(encode(decode(x))) != decode(x) for " + shortened(text));
}

} // namespace baton::fuzz
