#pragma once
// What a wire decoder returns: the decoded message, or why the text is not one. Decoders are
// pure functions that never throw, whatever bytes they are given.

#include <optional>
#include <string>
#include <utility>

namespace baton::wire {

template <class T>
class Decoded {
public:
    Decoded(T value)
        : m_value(std::move(value)) {}
    static Decoded failure(std::string why) {
        Decoded d;
        d.m_error = std::move(why);
        return d;
    }

    explicit operator bool() const { return m_value.has_value(); }
    const T& operator*() const& { return *m_value; }
    T&& operator*() && { return std::move(*m_value); }
    const T* operator->() const { return &*m_value; }
    /// Why decoding failed; empty when it did not.
    const std::string& error() const { return m_error; }

private:
    Decoded() = default;
    std::optional<T> m_value;
    std::string m_error;
};

/// The longest text a decoder reads: anything longer is refused unread.
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;

} // namespace baton::wire
