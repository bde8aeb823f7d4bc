#pragma once
// Reads a scenario file (JSON, format in the README) into a baton::Scenario, checking every
// field; a bad file gives a ScenarioFileError with the line and the reason. Writes one back.

#include "baton/sim/scenario.h"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace baton::sim {

/// What is wrong with a scenario file, and on which line (1-based; 0: the file as a whole).
class ScenarioFileError : public std::runtime_error {
public:
    ScenarioFileError(int line, const std::string& reason);
    int line() const { return m_line; }
    const std::string& reason() const { return m_reason; }

private:
    int m_line;
    std::string m_reason;
};

/// The largest scenario file read: larger ones are refused unread.
inline constexpr std::size_t kMaxScenarioBytes = 4 * 1024 * 1024;

/// Parses scenario JSON text. Throws ScenarioFileError.
Scenario parseScenario(std::string_view json);
/// The scenario as JSON text that parseScenario reads back to the same scenario.
std::string scenarioJson(const Scenario& scenario);
/// Reads and parses a file (a missing or unreadable file is an error on line 0).
Scenario loadScenario(const std::string& path);

} // namespace baton::sim
