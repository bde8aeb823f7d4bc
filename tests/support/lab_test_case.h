#pragma once
// Test support: the base of the lab's suites. QStandardPaths' test mode is on before any member
// or test function runs, so no suite reads or writes the user's settings.

#include <QObject>
#include <QStandardPaths>

namespace baton::test {

class LabTestCase : public QObject {
protected:
    LabTestCase() { QStandardPaths::setTestModeEnabled(true); }
};

} // namespace baton::test
