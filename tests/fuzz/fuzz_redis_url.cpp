// Redis URLs as users type them (--redis, the lab's connect dialog, REDIS_URL): parse throws only
// UrlError, and nothing it shows (the error message, redacted(), redactUrl()) depends on the
// password: the same URL with another password of the same shape shows exactly the same.

#include "fuzz_check.h"

#include <baton/redis/redis_url.h>

#include <cctype>

using namespace baton;

namespace {

// Where a sentinel's password starts ("sentinelPassword=", in any case), or npos.
std::size_t sentinelSecret(const std::string& text) {
    std::string lower = text;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("sentinelpassword=");
    return at == std::string::npos ? at : at + 17;
}

// Where the password is written in "scheme://user:password@...": [first, last), or empty. The
// credentials end at the last '@' before a sentinel's password.
std::pair<std::size_t, std::size_t> passwordSpan(const std::string& text) {
    const auto scheme = text.find("://");
    if (scheme == std::string::npos)
        return {0, 0};
    const auto start = scheme + 3;
    const std::string head = text.substr(0, sentinelSecret(text));
    const auto at = text.compare(0, scheme, "unix") == 0 ? head.rfind("@/") : head.rfind('@');
    if (at == std::string::npos || at < start)
        return {0, 0};
    const auto colon = text.find(':', start);
    return colon == std::string::npos || colon > at ? std::pair{at, at} : std::pair{colon + 1, at};
}

// Another character of the same kind (a hex digit stays one, '%', '@', ':' stay), so the URL
// parses, or fails, the same way.
char another(char c) {
    const auto rotate = [](char ch, char first, int count) {
        return static_cast<char>(first + (ch - first + 1) % count);
    };
    if (c >= '0' && c <= '9')
        return rotate(c, '0', 10);
    if (c >= 'a' && c <= 'f')
        return rotate(c, 'a', 6);
    if (c >= 'A' && c <= 'F')
        return rotate(c, 'A', 6);
    if (c >= 'g' && c <= 'z')
        return rotate(c, 'g', 20);
    if (c >= 'G' && c <= 'Z')
        return rotate(c, 'G', 20);
    return c;
}

// What a user or a log sees of `text`: the error, or the redacted URL.
std::string shown(const std::string& text) {
    try {
        return "ok: " + RedisUrl::parse(text).redacted() + " " + redactUrl(text);
    } catch (const UrlError& e) {
        return std::string("error: ") + e.what();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::view(data, size));
    const std::string seen = shown(text); // only UrlError may escape parse()
    const auto [first, last] = passwordSpan(text);
    std::string other = text;
    for (auto i = first; i < last; ++i)
        other[i] = another(other[i]);
    // A sentinel's password: up to the next '&' (where the URL parser ends it too).
    if (const auto secret = sentinelSecret(text); secret != std::string::npos)
        for (auto i = secret; i < text.size() && text[i] != '&'; ++i)
            other[i] = another(other[i]);
    if (other != text)
        fuzz::require(shown(other) == seen,
                      "what is shown depends on the password:\n" + seen + "\n" + shown(other));
    return 0;
}
