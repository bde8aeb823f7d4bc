#pragma once
// Processes the lab starts (agents, a private redis-server) must not outlive a lab that crashes.

#include <QProcess>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace baton::lab {

/// The child gets SIGKILL when the thread that forked it ends (PDEATHSIG follows the thread,
/// so start it from a long-lived one), and gives up if the lab is gone already.
inline void dieWithLab(QProcess& process) {
    const pid_t lab = ::getpid();
    process.setChildProcessModifier([lab] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != lab)
            ::_exit(1);
    });
}

} // namespace baton::lab
