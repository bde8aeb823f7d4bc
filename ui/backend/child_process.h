#pragma once
// Processes the lab starts (agents, a private redis-server): they must not outlive a lab that
// crashes, and their output is read a line at a time.

#include <QProcess>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace baton::lab {

/// The child gets `sig` when the thread that forked it ends (PDEATHSIG follows the thread, so
/// start it from a long-lived one), and gives up if the lab is gone already. Agents get SIGTERM,
/// so that even a lab that crashes leaves no lock behind: they revoke and release.
inline void dieWithLab(QProcess& process, int sig = SIGKILL) {
    const pid_t lab = ::getpid();
    process.setChildProcessModifier([lab, sig] {
        ::prctl(PR_SET_PDEATHSIG, sig);
        if (::getppid() != lab)
            ::_exit(1);
    });
}

/// Hands each complete line at the front of `buffer` (without its '\n') to `onLine`, in order,
/// and removes it; what follows the last newline stays for the next read.
template <typename OnLine>
void takeLines(QByteArray& buffer, OnLine&& onLine) {
    qsizetype nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
        const QByteArray line = buffer.left(nl);
        buffer.remove(0, nl + 1);
        onLine(line);
    }
}

} // namespace baton::lab
