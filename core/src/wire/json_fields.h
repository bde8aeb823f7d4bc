#pragma once
// The wire decoders' one way to read fields of a JSON object (nlohmann-json, private to the
// core): the type checks and the one range check for numbers, with errors that name the field.

#include "baton/wire/decoded.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace baton::wire::detail {

using Json = nlohmann::json;
/// Keeps keys in the order written, so lines read as they always have (t, id, event first).
using OrderedJson = nlohmann::ordered_json;

/// A field that is missing, of the wrong type or out of range; caught at the decoder's edge.
class FieldError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The object in `text`. Throws FieldError for text too long, not JSON, or not an object.
Json parseObject(std::string_view text);

/// Text of `value`; invalid UTF-8 in strings is replaced (U+FFFD), so every line stays JSON.
std::string dump(const OrderedJson& value);

bool has(const Json& o, const char* key);
/// The string at `key`, or `fallback` when absent.
std::string string(const Json& o, const char* key, const std::string& fallback = {});
std::string requiredString(const Json& o, const char* key);
bool boolean(const Json& o, const char* key, bool fallback = false);
/// A finite number at `key` in [min, max], or `fallback` when absent.
double number(const Json& o, const char* key, double min, double max, double fallback = 0);
/// A whole number at `key` in [0, max], read exactly (never through a double), or `fallback`.
std::uint64_t whole(const Json& o, const char* key, std::uint64_t max = UINT64_MAX,
                    std::uint64_t fallback = 0);

/// Runs `read` (which may throw), turning every error into a failure ("what: why", or "why"
/// when `what` is empty): nothing escapes.
template <class T, class Read>
Decoded<T> decodeWith(std::string_view what, Read&& read) noexcept {
    try {
        return Decoded<T>(read());
    } catch (const std::exception& e) {
        try {
            return Decoded<T>::failure(what.empty() ? std::string(e.what())
                                                    : std::string(what) + ": " + e.what());
        } catch (...) {
        }
    } catch (...) {
    }
    return Decoded<T>::failure({});
}

} // namespace baton::wire::detail
