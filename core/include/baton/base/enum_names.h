#pragma once
// The names of an enum's values in one table indexed by the enum (values 0..N-1): a value's
// name, and the value a name stands for. One table serves both ways, so they cannot disagree.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace baton {

template <class Enum, std::size_t N>
struct EnumNames {
    std::array<std::string_view, N> names; ///< in the enum's order

    constexpr std::string_view name(Enum value) const {
        return names.at(static_cast<std::size_t>(value));
    }
    /// The value named `name`, if any.
    constexpr std::optional<Enum> find(std::string_view name) const {
        for (std::size_t i = 0; i < N; ++i)
            if (names[i] == name)
                return static_cast<Enum>(i);
        return std::nullopt;
    }
};

} // namespace baton
