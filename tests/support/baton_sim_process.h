#pragma once
// Test support: runs the real baton-sim binary (BATON_SIM_PATH) and keeps its exit code and
// output, for the suites of its run and tune commands.

#include "support/program_run.h"

namespace baton::test {

using SimResult = ProgramRun; ///< code -1: it crashed or did not finish in two minutes

inline SimResult runBatonSim(const QStringList& args, const QString& workingDirectory = {}) {
    return runProgram(QStringLiteral(BATON_SIM_PATH), args, 120000,
                      QProcessEnvironment::systemEnvironment(), workingDirectory);
}

} // namespace baton::test
