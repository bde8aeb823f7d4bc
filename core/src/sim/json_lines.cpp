#include "json_lines.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

namespace baton::sim {

namespace {

using Json = nlohmann::json;

// What the parser has read so far: nlohmann-json keeps no positions, so its input iterator
// counts lines as the lexer pulls characters.
struct Position {
    int line = 1; // of the last character read
    bool lastWasNewline = false;
};

class CountingIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    CountingIterator(const char* p, Position* position)
        : m_p(p)
        , m_position(position) {}
    reference operator*() const { return *m_p; }
    CountingIterator& operator++() {
        // The line of the character just read: a newline ends its line.
        if (m_position->lastWasNewline)
            ++m_position->line;
        m_position->lastWasNewline = *m_p == '\n';
        ++m_p;
        return *this;
    }
    CountingIterator operator++(int) {
        CountingIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const CountingIterator& o) const { return m_p == o.m_p; }
    bool operator!=(const CountingIterator& o) const { return m_p != o.m_p; }

private:
    const char* m_p;
    Position* m_position;
};

// One open object or array while parsing.
struct Frame {
    bool array = false;
    int index = 0;   // array: of the next value
    std::string key; // object: of the next value
    std::set<std::string> keys;
};

class LineRecorder {
public:
    static constexpr std::size_t kMaxDepth = 32;

    explicit LineRecorder(const Position& position, std::map<std::string, int>& lines)
        : m_position(position)
        , m_lines(lines) {}

    bool event(Json::parse_event_t event, const Json& parsed) {
        using E = Json::parse_event_t;
        switch (event) {
        case E::object_start:
        case E::array_start:
            // Each value's path is recorded, so deep nesting would cost depth^2 memory.
            if (m_frames.size() >= kMaxDepth)
                throw JsonLinesError(m_position.line,
                                     "nested deeper than " + std::to_string(kMaxDepth) + " levels");
            m_lines.emplace(path(), m_position.line);
            m_frames.push_back(Frame{event == E::array_start, 0, {}, {}});
            break;
        case E::key: {
            const std::string key = parsed.get<std::string>();
            if (!m_frames.back().keys.insert(key).second)
                throw JsonLinesError(m_position.line, "duplicate field '" + key + "'");
            m_frames.back().key = key;
            break;
        }
        case E::value:
            // A number ends only at the character after it; a newline read so still counts on
            // the number's line (Position's rule).
            m_lines.emplace(path(), m_position.line);
            if (parsed.is_string() &&
                parsed.get_ref<const std::string&>().find('\0') != std::string::npos)
                throw JsonLinesError(m_position.line,
                                     path() + ": a string must not contain a NUL character");
            next();
            break;
        case E::object_end:
        case E::array_end:
            m_frames.pop_back();
            next();
            break;
        }
        return true;
    }

private:
    std::string path() const {
        std::string p;
        for (const Frame& f : m_frames) {
            if (f.array)
                p += "[" + std::to_string(f.index) + "]";
            else
                p += (p.empty() ? "" : ".") + f.key;
        }
        return p;
    }
    void next() {
        if (!m_frames.empty() && m_frames.back().array)
            ++m_frames.back().index;
    }

    const Position& m_position;
    std::map<std::string, int>& m_lines;
    std::vector<Frame> m_frames;
};

// "[json.exception.parse_error.101] parse error at line 4, column 3: syntax error ...": the
// part after the position (the line is reported on its own).
std::string reasonOf(const Json::parse_error& e) {
    const std::string what = e.what();
    const auto colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

// "[json.exception.out_of_range.406] number overflow parsing '1e400'": the part after the id.
std::string reasonOf(const Json::exception& e) {
    const std::string what = e.what();
    const auto id = what.find("] ");
    return id == std::string::npos ? what : what.substr(id + 2);
}

} // namespace

int JsonWithLines::lineOf(std::string path) const {
    while (true) {
        if (auto it = lines.find(path); it != lines.end())
            return it->second;
        if (path.empty())
            return 1;
        const auto cut = path.find_last_of(".[");
        path.resize(cut == std::string::npos ? 0 : cut);
    }
}

JsonWithLines parseWithLines(std::string_view text) {
    JsonWithLines out;
    Position position;
    LineRecorder recorder(position, out.lines);
    try {
        out.value = Json::parse(CountingIterator(text.data(), &position),
                                CountingIterator(text.data() + text.size(), &position),
                                [&](int, Json::parse_event_t event, Json& parsed) {
                                    return recorder.event(event, parsed);
                                });
    } catch (const Json::parse_error& e) {
        const auto upTo = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
        const auto line = 1 + std::count(text.begin(), text.begin() + upTo, '\n');
        throw JsonLinesError(static_cast<int>(line), "not valid JSON: " + reasonOf(e));
    } catch (const Json::exception& e) {
        // A number too large for a double (1e400) is no parse error to nlohmann-json.
        throw JsonLinesError(position.line, "not valid JSON: " + reasonOf(e));
    }
    return out;
}

} // namespace baton::sim
