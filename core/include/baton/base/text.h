#pragma once
// Text that came from outside (a Redis key, a control message, an identity) made safe for a
// human log line: nothing in it can end the line, forge another or move a terminal's cursor.

#include <cstddef>
#include <string>
#include <string_view>

namespace baton {

/// `text` with control characters and bytes that are not valid UTF-8 shown as escapes (\n, \t,
/// \x1b, \xff), and cut after `limit` bytes with "... (N bytes in all)".
std::string visible(std::string_view text, std::size_t limit = 512);

/// The length of the valid UTF-8 sequence that starts `text`, or 0 when it does not start
/// with one (an empty text included).
std::size_t utf8SequenceLength(std::string_view text);

} // namespace baton
