#pragma once
// Test support: an argument list written as one line ("--resource r --ttl 0"), for tables of
// command lines.

#include <QStringList>

namespace baton::test {

inline QStringList words(const char* line) {
    return QString::fromUtf8(line).split(u' ', Qt::SkipEmptyParts);
}

} // namespace baton::test
