#pragma once
// Reads a scenario file (JSON, format in the README) into a baton::Scenario, checking every
// field; a bad file gives a ScenarioFileError with the line and the reason.

#include <baton/sim/scenario.h>

#include <QByteArray>
#include <QString>

#include <stdexcept>

namespace baton::sim {

/// What is wrong with a scenario file, and on which line (1-based).
class ScenarioFileError : public std::runtime_error {
public:
    ScenarioFileError(int line, const QString& reason);
    int line() const { return m_line; }
    const QString& reason() const { return m_reason; }

private:
    int m_line;
    QString m_reason;
};

/// Parses scenario JSON text. Throws ScenarioFileError.
Scenario parseScenario(const QByteArray& json);
/// The scenario as JSON text that parseScenario reads back to the same scenario.
QByteArray scenarioJson(const Scenario& scenario);
/// Reads and parses a file (a missing or unreadable file is an error on line 0).
Scenario loadScenario(const QString& path);

} // namespace baton::sim
