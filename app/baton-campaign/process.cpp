#include "process.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace campaign {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::string& errFile, bool pipeOut, std::vector<std::string> env) {
    int pipeFds[2] = {-1, -1};
    if (pipeOut && ::pipe2(pipeFds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    std::vector<std::string> all{program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // The environment, made before fork: the child may call no allocator before exec.
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        if (std::none_of(env.begin(), env.end(),
                         [&](const std::string& x) { return x.rfind(name + "=", 0) == 0; }))
            env.push_back(entry);
    }
    std::vector<char*> envp;
    for (std::string& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t parent = ::getpid();
    m_pid = ::fork();
    if (m_pid == 0) {
        // Only async-signal-safe calls from here to exec (the campaign has threads).
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        ::dup2(null, 0);
        ::dup2(pipeOut ? pipeFds[1] : null, 1);
        ::dup2(err >= 0 ? err : null, 2);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    const int forkErrno = errno;
    if (pipeOut)
        ::close(pipeFds[1]);
    if (err >= 0)
        ::close(err);
    ::close(null);
    if (m_pid < 0) {
        if (pipeOut)
            ::close(pipeFds[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(forkErrno));
    }
    if (pipeOut) {
        m_out = pipeFds[0];
        ::fcntl(m_out, F_SETFL, ::fcntl(m_out, F_GETFL) | O_NONBLOCK);
    }
}

ChildProcess::~ChildProcess() {
    if (running()) {
        ::kill(m_pid, SIGCONT);
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    if (m_out >= 0)
        ::close(m_out);
}

void ChildProcess::signal(int sig) const {
    if (!m_ended && m_pid > 0)
        ::kill(m_pid, sig);
}

bool ChildProcess::running() {
    if (m_ended || m_pid <= 0)
        return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid)
        m_ended = true;
    return !m_ended;
}

bool ChildProcess::waitFor(int ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (running()) {
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

std::vector<std::string> ChildProcess::readLines() {
    std::vector<std::string> lines;
    if (m_out < 0)
        return lines;
    char buffer[16384];
    while (true) {
        const ssize_t n = ::read(m_out, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0) { // end of output
                if (!m_partial.empty())
                    lines.push_back(std::move(m_partial));
                m_partial.clear();
                ::close(m_out);
                m_out = -1;
            }
            break;
        }
        m_partial.append(buffer, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = m_partial.find('\n')) != std::string::npos) {
            lines.push_back(m_partial.substr(0, nl));
            m_partial.erase(0, nl + 1);
        }
        // A line without an end is bounded: what a runaway child writes cannot fill memory.
        if (m_partial.size() > (1 << 20)) {
            lines.push_back(std::move(m_partial));
            m_partial.clear();
        }
    }
    return lines;
}

namespace {

bool executable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> findProgram(const std::string& name, const char* envOverride) {
    if (envOverride) {
        if (const char* v = std::getenv(envOverride); v && *v)
            return executable(v) ? std::optional<std::string>(v) : std::nullopt;
    }
    char self[4096] = {};
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string dir(self, static_cast<std::size_t>(n));
        dir = dir.substr(0, dir.rfind('/'));
        for (const std::string& candidate : {dir + "/" + name, dir + "/../" + name + "/" + name})
            if (executable(candidate))
                return candidate;
    }
    const char* path = std::getenv("PATH");
    std::string rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t from = 0;
    while (from <= rest.size()) {
        const std::size_t colon = std::min(rest.find(':', from), rest.size());
        const std::string candidate = rest.substr(from, colon - from) + "/" + name;
        if (colon > from && executable(candidate))
            return candidate;
        from = colon + 1;
    }
    return std::nullopt;
}

} // namespace campaign
