#pragma once
// Text that came from outside (a Redis key, a control message, an identity) made safe for a
// human log line: nothing in it can end the line, forge another or move a terminal's cursor.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace baton {

/// `text` with control characters and bytes that are not valid UTF-8 shown as escapes (\n, \t,
/// \x1b, \xff), and cut after `limit` bytes with "... (N bytes in all)".
std::string visible(std::string_view text, std::size_t limit = 512);

/// The length of the valid UTF-8 sequence that starts `text`, or 0 when it does not start
/// with one (an empty text included).
std::size_t utf8SequenceLength(std::string_view text);

namespace text_detail {
/// The `Word` (4 or 8 bytes) stored at `at`, whatever its alignment.
template <typename Word>
Word load(const char* at) {
    Word w;
    std::memcpy(&w, at, sizeof w);
    return w;
}
} // namespace text_detail

/// a == b, made inline for short texts: the election compares identities, tokens and its
/// resource's name at every try, and a call to memcmp for a dozen bytes costs more than the
/// compare (a text of 4 to 16 bytes is two overlapping word loads a side).
inline bool sameText(std::string_view a, std::string_view b) {
    using text_detail::load;
    const std::size_t n = a.size();
    if (n != b.size())
        return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n >= 8) {
        if (n > 16)
            return std::memcmp(p, q, n) == 0;
        return load<std::uint64_t>(p) == load<std::uint64_t>(q) &&
               load<std::uint64_t>(p + n - 8) == load<std::uint64_t>(q + n - 8);
    }
    if (n >= 4)
        return load<std::uint32_t>(p) == load<std::uint32_t>(q) &&
               load<std::uint32_t>(p + n - 4) == load<std::uint32_t>(q + n - 4);
    // 0 to 3 bytes: the first, the middle and the last.
    return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
}

} // namespace baton
