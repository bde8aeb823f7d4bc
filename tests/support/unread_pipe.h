#pragma once
// Test support: a one-page pipe nobody reads, as a child process's standard output: full once
// anything is in it (a pipe is writable only with a free buffer slot).

#include <QProcess>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace baton::test {

class UnreadPipe {
public:
    UnreadPipe() {
        if (::pipe(m_fds) == 0)
            ::fcntl(m_fds[0], F_SETPIPE_SZ, 4096); // full sooner
    }
    ~UnreadPipe() {
        for (const int fd : m_fds)
            if (fd >= 0)
                ::close(fd);
    }
    UnreadPipe(const UnreadPipe&) = delete;
    UnreadPipe& operator=(const UnreadPipe&) = delete;

    bool ok() const { return m_fds[0] >= 0; }
    /// Before `p` starts: the pipe becomes its stdout (stderr goes to the null device). QProcess,
    /// not fork: Qt reaps every child it did not start itself as well.
    void becomeStdoutOf(QProcess& p) const {
        p.setStandardErrorFile(QProcess::nullDevice());
        p.setChildProcessModifier([w = m_fds[1]] { ::dup2(w, STDOUT_FILENO); });
    }
    /// Once it started: only the child holds the writing end.
    void started() {
        ::close(m_fds[1]);
        m_fds[1] = -1;
    }
    /// Bytes written and not read.
    int queued() const {
        int n = 0;
        return ::ioctl(m_fds[0], FIONREAD, &n) == 0 ? n : 0;
    }

private:
    int m_fds[2] = {-1, -1};
};

} // namespace baton::test
