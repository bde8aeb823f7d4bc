#pragma once
// Test support: runs a program to its end (killed past a timeout) and keeps its exit code and
// output, for the suites of the command-line tools.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace baton::test {

struct ProgramRun {
    int code = -1; ///< -1: it crashed or did not finish in time
    QString out;
    QString err;
    bool timedOut = false;
};

inline ProgramRun
runProgram(const QString& program, const QStringList& args, int timeoutMs,
           const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
           const QString& workingDirectory = {}) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(workingDirectory);
    p.start(program, args);
    ProgramRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.timedOut = true;
    } else if (p.exitStatus() == QProcess::NormalExit) {
        r.code = p.exitCode();
    }
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace baton::test
