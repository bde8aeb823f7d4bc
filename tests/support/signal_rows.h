#pragma once
// Test support: a data column "sig" with one row per signal, for the tests that end a process
// with each of the signals that ask it to end.

#include <QTest>

#include <initializer_list>
#include <utility>

namespace baton::test {

inline void addSignalRows(std::initializer_list<std::pair<const char*, int>> rows) {
    QTest::addColumn<int>("sig");
    for (const auto& [name, sig] : rows)
        QTest::newRow(name) << sig;
}

} // namespace baton::test
