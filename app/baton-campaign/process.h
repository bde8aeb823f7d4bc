#pragma once
// Child processes of a campaign (baton-agent, redis-server): started with fork/exec, standard
// output on a non-blocking pipe read line by line, standard error to a file, killed with the
// campaign (PR_SET_PDEATHSIG) so that none outlives it.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace campaign {

class ChildProcess {
public:
    /// Starts `program` with `args` and this environment plus `env` ("NAME=value": a URL with a
    /// password goes there, not on a command line anyone can read in /proc); stdout is piped
    /// when `pipeOut`, stderr goes to `errFile`. Throws std::runtime_error when it cannot start.
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::string& errFile, bool pipeOut, std::vector<std::string> env = {});
    ~ChildProcess(); ///< SIGKILL and reap, if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return m_pid; }
    int outFd() const { return m_out; }
    void signal(int sig) const;
    /// Reaps it if it has ended; true while it runs.
    bool running();
    /// Waits up to `ms` for it to end (after a signal); true if it did.
    bool waitFor(int ms);
    /// Complete lines read so far from stdout (call when outFd() is readable; it never blocks).
    /// At the end of the output, a last line without a newline is returned too.
    std::vector<std::string> readLines();

private:
    pid_t m_pid = -1;
    int m_out = -1;
    bool m_ended = false;
    std::string m_partial;
};

/// `name` next to this executable, in the build tree's sibling folder (../NAME/NAME), or on
/// PATH; none when it is nowhere.
std::optional<std::string> findProgram(const std::string& name, const char* envOverride);

} // namespace campaign
