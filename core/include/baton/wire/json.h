#pragma once
// DEPRECATED, kept only until ui/backend/redis_backend.cpp moves to the wire messages
// (event_message.h, control.h); then delete this file and json.cpp. Flat JSON objects, numbers
// as doubles (fences above 2^53 are not exact here): use baton/wire/*.h instead.

#include <map>
#include <stdexcept>
#include <string>
#include <variant>

namespace baton {

/// Builds one flat JSON object, keys in the order added.
class JsonWriter {
public:
    JsonWriter& add(const std::string& key, const std::string& value);
    JsonWriter& add(const std::string& key, const char* value) {
        return add(key, std::string(value));
    }
    JsonWriter& add(const std::string& key, double value);
    JsonWriter& add(const std::string& key, std::int64_t value);
    JsonWriter& add(const std::string& key, std::uint64_t value);
    JsonWriter& add(const std::string& key, int value) { return add(key, std::int64_t(value)); }
    JsonWriter& add(const std::string& key, bool value);
    std::string str() const { return m_text + "}"; }

private:
    void key(const std::string& k);
    std::string m_text = "{";
};

/// A JSON string literal for `text` (quotes included).
std::string jsonQuote(const std::string& text);

using JsonValue = std::variant<std::nullptr_t, bool, double, std::string>;

/// A parsed flat object. Throws std::invalid_argument with the offset and the reason.
class JsonObject {
public:
    static JsonObject parse(const std::string& text);

    bool has(const std::string& key) const { return m_values.count(key) > 0; }
    /// The string at `key`, or `fallback` when absent; throws if it is not a string.
    std::string string(const std::string& key, const std::string& fallback = {}) const;
    /// The number at `key`, or `fallback` when absent; throws if it is not a number.
    double number(const std::string& key, double fallback = 0) const;
    bool boolean(const std::string& key, bool fallback = false) const;
    const std::map<std::string, JsonValue>& values() const { return m_values; }

private:
    std::map<std::string, JsonValue> m_values;
};

} // namespace baton
