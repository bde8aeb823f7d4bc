#include "campaign.h"

#include "verdict.h"

#include <baton/base/text.h>
#include <baton/proxy/proxied_url.h>
#include <baton/wire/event_message.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <csignal>
#include <poll.h>
#include <sstream>
#include <stdexcept>

namespace campaign {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr int kElectTimeoutMs = 10000;

baton::FaultKind kindOf(FaultType type) {
    switch (type) {
    case FaultType::Kill:
        return baton::FaultKind::Crash;
    case FaultType::Pause:
        return baton::FaultKind::Pause;
    case FaultType::Term:
        return baton::FaultKind::Stop;
    case FaultType::Partition:
        return baton::FaultKind::Partition;
    case FaultType::Latency:
        return baton::FaultKind::Latency;
    case FaultType::Drift:
        return baton::FaultKind::Drift;
    }
    return baton::FaultKind::Crash;
}

std::string rateText(double rate) {
    std::ostringstream out;
    out.precision(6);
    out << rate;
    return out.str();
}

} // namespace

Campaign::Campaign(Options options, Schedule schedule, Upstream upstream, std::string agentProgram,
                   std::string dir, std::string resource,
                   std::function<void(const std::string&)> log, const std::atomic<bool>& stop)
    : m_options(std::move(options))
    , m_schedule(std::move(schedule))
    , m_upstream(std::move(upstream))
    , m_agentProgram(std::move(agentProgram))
    , m_dir(std::move(dir))
    , m_resource(std::move(resource))
    , m_log(std::move(log))
    , m_stop(stop)
    , m_history(m_resource)
    , m_lines(m_dir + "/history.jsonl")
    , m_faults(m_dir + "/faults.jsonl")
    , m_random(m_options.seed ^ 0x7265616c) {
    for (int i = 0; i < m_options.agents; ++i) {
        Agent a;
        a.id = "agent-" + std::to_string(i);
        a.rate = m_schedule.startRates.at(static_cast<std::size_t>(i));
        a.proxy =
            std::make_unique<baton::proxy::FaultProxy>(m_upstream.url.host, m_upstream.url.port);
        m_agents.push_back(std::move(a));
    }
}

Campaign::~Campaign() = default;

void Campaign::startAgent(int i) {
    Agent& a = m_agents.at(static_cast<std::size_t>(i));
    std::vector<std::string> args{"--resource",  m_resource,
                                  "--id",        a.id,
                                  "--ttl",       baton::formatDuration(m_options.ttl),
                                  "--refresh",   baton::formatDuration(m_options.refresh),
                                  "--max-drift", rateText(m_options.maxDrift),
                                  "--verbose"};
    if (a.rate != 1) {
        args.push_back("--clock-rate");
        args.push_back(rateText(a.rate));
    }
    ++a.incarnation;
    a.leads = false;
    // The URL (it may hold a password) in REDIS_URL, as the lab passes it: not on the command
    // line, which every local user can read.
    a.process = std::make_unique<ChildProcess>(
        m_agentProgram, args, m_dir + "/" + a.id + ".log", true,
        std::vector<std::string>{"REDIS_URL=" +
                                 baton::proxy::throughProxy(m_upstream.url, a.proxy->port())});
}

void Campaign::take(Agent& a, const std::string& line) {
    m_lines << line << '\n';
    m_history.addLine(a.incarnation, line);
    const auto m = baton::wire::decodeEvent(line);
    if (!m || m->resource != m_resource)
        return;
    if (m->event == "elected" || m->event == "extended") {
        a.leads = true;
        a.fence = m->fence.value_or(a.fence);
    } else if (m->event == "revoked" || m->event == "stopped") {
        a.leads = false;
    }
}

void Campaign::pump(int ms) {
    std::vector<pollfd> fds;
    std::vector<Agent*> owners;
    for (Agent& a : m_agents)
        if (a.process && a.process->outFd() >= 0) {
            fds.push_back({a.process->outFd(), POLLIN, 0});
            owners.push_back(&a);
        }
    if (::poll(fds.data(), fds.size(), std::max(0, ms)) <= 0)
        return;
    for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents)
            for (const std::string& line : owners[i]->process->readLines())
                take(*owners[i], line);
}

bool Campaign::pumpUntil(const std::function<bool()>& done, int ms) {
    const SteadyTime until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!done()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0 || m_stop)
            return false;
        pump(static_cast<int>(std::min<long long>(left.count(), 10)));
    }
    return true;
}

int Campaign::leader() const {
    int best = -1;
    for (std::size_t i = 0; i < m_agents.size(); ++i) {
        const Agent& a = m_agents[i];
        if (a.leads && a.process &&
            (best < 0 || a.fence > m_agents[static_cast<std::size_t>(best)].fence))
            best = static_cast<int>(i);
    }
    return best;
}

int Campaign::resolve(const Target& target, std::string& note) {
    const int lead = leader();
    const auto n = static_cast<std::uint64_t>(m_agents.size());
    switch (target.kind) {
    case Target::Kind::Agent:
        return target.agent;
    case Target::Kind::Leader:
        if (lead >= 0)
            return lead;
        note = "nobody led: a random agent";
        return static_cast<int>(m_random.below(n));
    case Target::Kind::Follower: {
        if (lead < 0)
            return static_cast<int>(m_random.below(n));
        // Any agent but the leader, evenly.
        const int pick = static_cast<int>(m_random.below(n - 1));
        return pick >= lead ? pick + 1 : pick;
    }
    }
    return 0;
}

void Campaign::stopProcess(Agent& a, int sig) {
    if (!a.process)
        return;
    a.process->signal(SIGCONT);
    a.process->signal(sig);
    if (!pumpUntil([&] { return !a.process->running(); }, 3000)) {
        a.process->signal(SIGKILL);
        a.process->waitFor(2000);
    }
    for (const std::string& line : a.process->readLines())
        take(a, line);
    a.leads = false;
}

void Campaign::strike(const PlannedFault& f) {
    Active active;
    active.fault.plan = f;
    active.fault.agent = resolve(f.target, active.fault.note);
    Agent& a = m_agents.at(static_cast<std::size_t>(active.fault.agent));
    active.fault.wasLeader = a.leads;
    active.fault.atMs = baton::unixMsNow();
    active.endAt = std::chrono::steady_clock::now() + f.length;
    switch (f.type) {
    case FaultType::Kill:
        a.process->signal(SIGKILL);
        a.process->waitFor(2000);
        for (const std::string& line : a.process->readLines())
            take(a, line);
        a.leads = false;
        break;
    case FaultType::Term:
        stopProcess(a, SIGTERM);
        break;
    case FaultType::Pause:
        a.process->signal(SIGSTOP);
        break;
    case FaultType::Partition:
    case FaultType::Latency:
        active.proxyFault = a.proxy->add(f.proxyFault);
        break;
    case FaultType::Drift:
        // A restart with the new rate: the old process hands over first (graceful).
        stopProcess(a, SIGTERM);
        a.rate = f.rate;
        startAgent(active.fault.agent);
        active.endAt = std::chrono::steady_clock::now();
        break;
    }
    const baton::Duration since(std::llround(sinceStart(active.fault.atMs) * 1e6));
    std::string line = padded(seconds(since)) + "  " + describe(f) + ": " + a.id +
                       (active.fault.wasLeader ? " (leader)" : "");
    if (!active.fault.note.empty())
        line += " (" + active.fault.note + ")";
    m_log(line);
    m_active = std::move(active);
}

void Campaign::end(Active& active) {
    Agent& a = m_agents.at(static_cast<std::size_t>(active.fault.agent));
    switch (active.fault.plan.type) {
    case FaultType::Kill:
    case FaultType::Term:
        if (a.process->running()) // a stop that did not end it: it is killed now
            stopProcess(a, SIGKILL);
        startAgent(active.fault.agent);
        break;
    case FaultType::Pause:
        a.process->signal(SIGCONT);
        break;
    case FaultType::Partition:
    case FaultType::Latency:
        a.proxy->heal(active.proxyFault);
        break;
    case FaultType::Drift:
        break;
    }
    active.fault.endMs = baton::unixMsNow();
    record(active.fault);
}

void Campaign::restartTheFallen() {
    for (std::size_t i = 0; i < m_agents.size(); ++i) {
        Agent& a = m_agents[i];
        const bool downByFault = m_active && m_active->fault.agent == static_cast<int>(i) &&
                                 (m_active->fault.plan.type == FaultType::Kill ||
                                  m_active->fault.plan.type == FaultType::Term);
        if (downByFault || a.process->running())
            continue;
        // An agent that ended by itself (it could not reach Redis at start, say) would leave
        // the cluster smaller than the verdict claims: started again, and counted.
        for (const std::string& line : a.process->readLines())
            take(a, line);
        ++m_unexpectedExits;
        m_log(a.id + " ended by itself (its log: " + m_dir + "/" + a.id + ".log); started again");
        startAgent(static_cast<int>(i));
    }
}

void Campaign::record(const StruckFault& f) {
    const Agent& a = m_agents.at(static_cast<std::size_t>(f.agent));
    m_history.addFault(a.id, kindOf(f.plan.type), f.atMs, f.endMs, f.wasLeader, describe(f.plan));
    m_struck.push_back(f);
    m_faults << nlohmann::json{{"at", f.atMs},
                               {"end", f.endMs},
                               {"fault", faultTypeName(f.plan.type)},
                               {"id", a.id},
                               {"wasLeader", f.wasLeader},
                               {"detail", describe(f.plan)}}
                    .dump()
             << '\n';
}

Outcome Campaign::run() {
    Outcome out;
    const auto elected = [this] { return leader() >= 0; };
    if (m_schedule.firstAgent >= 0) {
        startAgent(m_schedule.firstAgent);
        if (!pumpUntil(elected, kElectTimeoutMs))
            throw std::runtime_error(
                "the first agent was not elected within 10 s (its log: " + m_dir + "/agent-0.log)");
    }
    for (int i = 0; i < m_options.agents; ++i)
        if (i != m_schedule.firstAgent)
            startAgent(i);
    if (!pumpUntil(elected, kElectTimeoutMs))
        throw std::runtime_error("no agent was elected within 10 s (their logs: " + m_dir + ")");
    m_startMs = baton::unixMsNow();
    const SteadyTime start = std::chrono::steady_clock::now();
    const SteadyTime finish = start + m_options.duration;
    std::size_t next = 0;
    while (!m_stop && std::chrono::steady_clock::now() < finish) {
        const SteadyTime now = std::chrono::steady_clock::now();
        if (m_active && now >= m_active->endAt) {
            end(*m_active);
            m_active.reset();
        }
        if (!m_active && next < m_schedule.faults.size() &&
            now >= start + m_schedule.faults[next].at)
            strike(m_schedule.faults[next++]);
        restartTheFallen();
        pump(5);
    }
    out.interrupted = m_stop;
    out.unexpectedExits = m_unexpectedExits;
    if (m_active) {
        end(*m_active);
        m_active.reset();
    }
    out.endMs = baton::unixMsNow();
    // All at once: one by one, each stop would hand over to the next for nothing.
    for (Agent& a : m_agents) {
        a.process->signal(SIGCONT);
        a.process->signal(SIGTERM);
    }
    pumpUntil(
        [this] {
            for (Agent& a : m_agents)
                if (a.process->running())
                    return false;
            return true;
        },
        3000);
    for (Agent& a : m_agents)
        stopProcess(a, SIGKILL); // only those still running
    out.report = m_history.check(m_startMs, out.endMs);
    out.struck = m_struck;
    out.startMs = m_startMs;
    for (const Agent& a : m_agents)
        out.rates.push_back(a.rate);
    out.lines = m_history.lines();
    out.badLines = m_history.badLines();
    out.problems = m_history.problems();
    return out;
}

} // namespace campaign
