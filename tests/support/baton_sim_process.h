#pragma once
// Test support: runs the real baton-sim binary (BATON_SIM_PATH) and keeps its exit code and
// output, for the suites of its run and tune commands.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace baton::test {

struct SimResult {
    int code = -1; ///< -1: it crashed or did not finish in two minutes
    QString out;
    QString err;
};

inline SimResult runBatonSim(const QStringList& args, const QString& workingDirectory = {}) {
    QProcess p;
    p.setWorkingDirectory(workingDirectory);
    p.start(QStringLiteral(BATON_SIM_PATH), args);
    if (!p.waitForFinished(120000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace baton::test
