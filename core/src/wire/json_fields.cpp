#include "json_fields.h"

#include <cmath>

namespace baton::wire::detail {

namespace {

std::string quoted(const char* key) {
    return std::string("\"") + key + "\"";
}

const Json* find(const Json& o, const char* key) {
    const auto it = o.find(key);
    return it == o.end() ? nullptr : &*it;
}

} // namespace

Json parseObject(std::string_view text) {
    if (text.size() > kMaxMessageBytes)
        throw FieldError("longer than " + std::to_string(kMaxMessageBytes) + " bytes");
    Json o = Json::parse(text.begin(), text.end(), nullptr, false);
    if (o.is_discarded())
        throw FieldError("not JSON");
    if (!o.is_object())
        throw FieldError("not a JSON object");
    return o;
}

std::string dump(const OrderedJson& value) {
    return value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

bool has(const Json& o, const char* key) {
    return find(o, key) != nullptr;
}

std::string string(const Json& o, const char* key, const std::string& fallback) {
    const Json* v = find(o, key);
    if (!v)
        return fallback;
    if (!v->is_string())
        throw FieldError(quoted(key) + " must be a string");
    return v->get<std::string>();
}

std::string requiredString(const Json& o, const char* key) {
    if (!has(o, key))
        throw FieldError(quoted(key) + " is missing");
    return string(o, key);
}

bool boolean(const Json& o, const char* key, bool fallback) {
    const Json* v = find(o, key);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        throw FieldError(quoted(key) + " must be true or false");
    return v->get<bool>();
}

double number(const Json& o, const char* key, double min, double max, double fallback) {
    const Json* v = find(o, key);
    if (!v)
        return fallback;
    if (!v->is_number())
        throw FieldError(quoted(key) + " must be a number");
    const double d = v->get<double>();
    if (!(d >= min && d <= max))
        throw FieldError(quoted(key) + " is out of range");
    return d;
}

std::uint64_t whole(const Json& o, const char* key, std::uint64_t max, std::uint64_t fallback) {
    const Json* v = find(o, key);
    if (!v)
        return fallback;
    std::uint64_t n = 0;
    if (v->is_number_unsigned())
        n = v->get<std::uint64_t>();
    else if (v->is_number_integer()) // nlohmann keeps only negative integers signed
        throw FieldError(quoted(key) + " must not be negative");
    else
        throw FieldError(quoted(key) + " must be a whole number");
    if (n > max)
        throw FieldError(quoted(key) + " is out of range (at most " + std::to_string(max) + ")");
    return n;
}

} // namespace baton::wire::detail
