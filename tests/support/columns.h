#pragma once
// Test support: a data-driven test's columns in one statement, the types in order and a name for
// each: addColumns<QString, int>("url", "port").

#include <QTest>

namespace baton::test {

template <typename... Types, typename... Names>
void addColumns(const Names&... names) {
    static_assert(sizeof...(Types) == sizeof...(Names), "one name for each column type");
    (QTest::addColumn<Types>(names), ...);
}

} // namespace baton::test
