#pragma once
// One campaign on real processes: agents behind their own fault proxies on one Redis, the
// schedule's faults struck and ended on time, every line kept, the history checked at the end.

#include "options.h"
#include "process.h"
#include "schedule.h"

#include <baton/proxy/fault_proxy.h>
#include <baton/redis/redis_url.h>
#include <baton/sim/random.h>
#include <baton/sim/real_history.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace campaign {

/// A fault as it struck: whom, when (Unix ms) and until when.
struct StruckFault {
    PlannedFault plan;
    int agent = -1;
    bool wasLeader = false;
    double atMs = 0;
    double endMs = 0;
    std::string note; ///< how the target was chosen, when it was not as planned
};

struct Outcome {
    baton::Report report;
    std::vector<StruckFault> struck;
    double startMs = 0; ///< the campaign's time 0 (the first leader seen)
    double endMs = 0;
    std::vector<double> rates; ///< each agent's clock rate at the end
    std::size_t lines = 0;
    std::size_t badLines = 0;
    std::vector<std::string> problems;
    bool interrupted = false;
    int unexpectedExits = 0; ///< agents that ended without a fault (restarted)
};

/// Where the agents' Redis is (reachable, checked) and how to log in.
struct Upstream {
    baton::RedisUrl url;
    std::string shown; ///< for messages: without the password
};

class Campaign {
public:
    /// `log` receives the run's progress lines (faults as they strike); `stop` ends it early.
    Campaign(Options options, Schedule schedule, Upstream upstream, std::string agentProgram,
             std::string dir, std::string resource, std::function<void(const std::string&)> log,
             const std::atomic<bool>& stop);
    ~Campaign();

    /// Throws std::runtime_error when the agents cannot start or never elect a leader.
    Outcome run();

private:
    struct Agent {
        std::string id;
        std::unique_ptr<baton::proxy::FaultProxy> proxy;
        std::unique_ptr<ChildProcess> process;
        std::uint64_t incarnation = 0;
        double rate = 1;
        bool leads = false;
        std::uint64_t fence = 0;
    };
    struct Active {
        StruckFault fault;
        std::chrono::steady_clock::time_point endAt;
        baton::proxy::FaultId proxyFault = 0;
    };

    void startAgent(int i);
    /// Reads every agent's lines for up to `ms` (less when `done` turns true).
    void pump(int ms);
    bool pumpUntil(const std::function<bool()>& done, int ms);
    void take(Agent& a, const std::string& line);
    int leader() const;
    int resolve(const Target& target, std::string& note);
    void strike(const PlannedFault& f);
    void end(Active& active);
    void stopProcess(Agent& a, int sig);
    void record(const StruckFault& f);
    void restartTheFallen();
    double sinceStart(double ms) const { return ms - m_startMs; }

    Options m_options;
    Schedule m_schedule;
    Upstream m_upstream;
    std::string m_agentProgram;
    std::string m_dir;
    std::string m_resource;
    std::function<void(const std::string&)> m_log;
    const std::atomic<bool>& m_stop;
    std::vector<Agent> m_agents;
    baton::RealHistory m_history;
    std::ofstream m_lines;  // every agent's lines, as read
    std::ofstream m_faults; // every fault, as struck (JSON lines)
    std::optional<Active> m_active;
    std::vector<StruckFault> m_struck;
    baton::Random m_random;
    double m_startMs = 0;
    int m_unexpectedExits = 0;
};

} // namespace campaign
