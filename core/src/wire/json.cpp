#include "baton/wire/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace baton {

std::string jsonQuote(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    return out + "\"";
}

void JsonWriter::key(const std::string& k) {
    if (m_text.size() > 1)
        m_text.push_back(',');
    m_text += jsonQuote(k);
    m_text.push_back(':');
}

JsonWriter& JsonWriter::add(const std::string& k, const std::string& value) {
    key(k);
    m_text += jsonQuote(value);
    return *this;
}

JsonWriter& JsonWriter::add(const std::string& k, double value) {
    key(k);
    if (!std::isfinite(value)) {
        m_text += "null";
        return *this;
    }
    // to_chars, not printf: the text must not depend on the process's locale.
    char buf[64];
    const auto end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 3).ptr;
    std::string s(buf, end);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    m_text += s;
    return *this;
}

JsonWriter& JsonWriter::add(const std::string& k, std::int64_t value) {
    key(k);
    m_text += std::to_string(value);
    return *this;
}

JsonWriter& JsonWriter::add(const std::string& k, std::uint64_t value) {
    key(k);
    m_text += std::to_string(value);
    return *this;
}

JsonWriter& JsonWriter::add(const std::string& k, bool value) {
    key(k);
    m_text += value ? "true" : "false";
    return *this;
}

namespace {

class Parser {
public:
    explicit Parser(const std::string& text)
        : m_s(text) {}

    [[noreturn]] void fail(const std::string& why) const {
        throw std::invalid_argument("bad JSON at offset " + std::to_string(m_pos) + ": " + why);
    }
    void skip() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' ||
                                      m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
    }
    bool take(char c) {
        skip();
        if (m_pos < m_s.size() && m_s[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!take(c))
            fail(std::string("expected '") + c + "'");
    }
    bool atEnd() {
        skip();
        return m_pos >= m_s.size();
    }

    void appendUtf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
    }

    unsigned hex4() {
        if (m_pos + 4 > m_s.size())
            fail("short \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_s[m_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return v;
    }

    std::string string() {
        expect('"');
        std::string out;
        while (true) {
            if (m_pos >= m_s.size())
                fail("unterminated string");
            const char c = m_s[m_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string");
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (m_pos >= m_s.size())
                fail("unterminated escape");
            const char e = m_s[m_pos++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out.push_back(e);
                break;
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                unsigned code = hex4();
                if (code >= 0xD800 && code < 0xDC00 && m_pos + 1 < m_s.size() &&
                    m_s[m_pos] == '\\' && m_s[m_pos + 1] == 'u') {
                    m_pos += 2;
                    const unsigned low = hex4();
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                appendUtf8(out, code);
                break;
            }
            default:
                fail(std::string("unknown escape \\") + e);
            }
        }
    }

    JsonValue value() {
        skip();
        if (m_pos >= m_s.size())
            fail("expected a value");
        const char c = m_s[m_pos];
        if (c == '"')
            return string();
        if (c == '{' || c == '[')
            fail("nested objects and arrays are not supported here");
        if (m_s.compare(m_pos, 4, "true") == 0) {
            m_pos += 4;
            return true;
        }
        if (m_s.compare(m_pos, 5, "false") == 0) {
            m_pos += 5;
            return false;
        }
        if (m_s.compare(m_pos, 4, "null") == 0) {
            m_pos += 4;
            return nullptr;
        }
        const char* begin = m_s.c_str() + m_pos;
        const char* last = m_s.c_str() + m_s.size();
        if (*begin == '+')
            fail("expected a value");
        double d = 0;
        const auto [end, ec] = std::from_chars(begin, last, d); // locale-independent
        if (ec != std::errc() || end == begin || !std::isfinite(d))
            fail("expected a value");
        m_pos += static_cast<std::size_t>(end - begin);
        return d;
    }

private:
    const std::string& m_s;
    std::size_t m_pos = 0;
};

} // namespace

JsonObject JsonObject::parse(const std::string& text) {
    Parser p(text);
    JsonObject object;
    p.expect('{');
    if (!p.take('}')) {
        do {
            std::string k = p.string();
            p.expect(':');
            object.m_values[std::move(k)] = p.value();
        } while (p.take(','));
        p.expect('}');
    }
    if (!p.atEnd())
        p.fail("unexpected text after the object");
    return object;
}

std::string JsonObject::string(const std::string& key, const std::string& fallback) const {
    auto it = m_values.find(key);
    if (it == m_values.end())
        return fallback;
    if (auto s = std::get_if<std::string>(&it->second))
        return *s;
    throw std::invalid_argument("\"" + key + "\" must be a string");
}

double JsonObject::number(const std::string& key, double fallback) const {
    auto it = m_values.find(key);
    if (it == m_values.end())
        return fallback;
    if (auto d = std::get_if<double>(&it->second))
        return *d;
    throw std::invalid_argument("\"" + key + "\" must be a number");
}

bool JsonObject::boolean(const std::string& key, bool fallback) const {
    auto it = m_values.find(key);
    if (it == m_values.end())
        return fallback;
    if (auto b = std::get_if<bool>(&it->second))
        return *b;
    throw std::invalid_argument("\"" + key + "\" must be true or false");
}

} // namespace baton
