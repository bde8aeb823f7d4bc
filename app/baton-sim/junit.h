#pragma once
// baton-sim's results as JUnit XML, the format CI systems read: one test case per seed (or per
// scenario file), a failure with the violations for each unsafe one.

#include <baton/sim/checker.h>

#include <fstream>
#include <string>
#include <vector>

namespace baton::sim {

/// Collects the test cases of a run or a campaign and writes them to one file.
class JUnitReport {
public:
    /// `suite` names the test suite (the scenario's name, or "random"); `path` is opened at once
    /// so that an unwritable file is a usage error before any run. Throws std::runtime_error.
    JUnitReport(std::string path, std::string suite);

    /// One test case: `name` (e.g. "seed 7"), its wall time, and its report's violations.
    void add(const std::string& name, double wallSeconds, const Report& report);
    /// Writes the file; throws std::runtime_error when that fails.
    void write();

private:
    struct Case {
        std::string name;
        double seconds = 0;
        std::vector<std::string> violations;
    };
    std::string m_path;
    std::string m_suite;
    std::ofstream m_file;
    std::vector<Case> m_cases;
};

/// `text` fit for XML character data and attribute values: markup characters as entities,
/// control characters and invalid UTF-8 shown as escapes (XML 1.0 allows neither).
std::string xmlEscaped(const std::string& text);

} // namespace baton::sim
