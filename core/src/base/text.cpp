#include "baton/base/text.h"

#include <cstdio>

namespace baton {

std::size_t utf8SequenceLength(std::string_view text) {
    if (text.empty())
        return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80)
        return 1;
    std::size_t n = 0;
    unsigned int min = 0;
    unsigned int code = 0;
    if ((lead & 0xE0) == 0xC0) {
        n = 2, min = 0x80, code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        n = 3, min = 0x800, code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, code = lead & 0x07;
    } else {
        return 0;
    }
    if (text.size() < n)
        return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (byte(i) & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past Unicode's end are not UTF-8.
    if (code < min || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
        return 0;
    return n;
}

std::string visible(std::string_view text, std::size_t limit) {
    std::string out;
    const std::string_view shown = text.substr(0, limit);
    out.reserve(shown.size());
    for (std::size_t i = 0; i < shown.size();) {
        const auto c = static_cast<unsigned char>(shown[i]);
        const std::size_t n = utf8SequenceLength(shown.substr(i));
        if (n > 1 || (n == 1 && c >= 0x20 && c != 0x7F)) {
            out.append(shown.substr(i, n));
            i += n;
            continue;
        }
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            char escape[5];
            std::snprintf(escape, sizeof escape, "\\x%02x", c);
            out += escape;
        }
        ++i;
    }
    if (text.size() > limit)
        out += "... (" + std::to_string(text.size()) + " bytes in all)";
    return out;
}

} // namespace baton
