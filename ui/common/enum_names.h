#pragma once
// An enum's display names from one table in the enum's order (its values run 0, 1, ...), instead
// of a switch with a return for every value.

#include <QString>

#include <array>
#include <cstddef>

namespace baton::lab {

/// The entry of `names` for `value`; empty for a value past the table's end.
template <typename Enum, std::size_t N>
QString nameIn(const std::array<QString, N>& names, Enum value) {
    const auto i = static_cast<std::size_t>(value);
    return i < N ? names[i] : QString();
}

} // namespace baton::lab
