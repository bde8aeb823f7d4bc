#pragma once
// JSON text parsed with the line where each value starts, by path ("faults[2].at"), so that a
// scenario file's errors can name their line. Refuses duplicate keys, NUL in strings, numbers
// beyond a double and nesting deeper than 32 levels.

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace baton::sim {

/// A syntax error (or a duplicate key, a NUL, a number too large, too deep a nesting) at `line`.
class JsonLinesError : public std::runtime_error {
public:
    JsonLinesError(int at, const std::string& reason)
        : std::runtime_error(reason)
        , line(at) {}
    int line;
};

struct JsonWithLines {
    nlohmann::json value;
    std::map<std::string, int> lines; ///< path -> line of the value ("" is the whole text)

    /// The line of `path`, or of its nearest enclosing value that has one.
    int lineOf(std::string path) const;
};

/// Throws JsonLinesError.
JsonWithLines parseWithLines(std::string_view text);

} // namespace baton::sim
