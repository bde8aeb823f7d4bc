#include "agent.h"

#include <baton/base/text.h>
#include <baton/wire/control.h>
#include <baton/wire/event_message.h>
#include <baton/wire/member.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>
#include <unistd.h>

namespace agent {

using namespace std::chrono_literals;

std::string hostName() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

Agent::Agent(Options options)
    : m_options(std::move(options))
    , m_clock(m_options.clockRate)
    , m_out(takenSignals()) {
    m_id = m_options.id.empty() ? baton::defaultIdentity() : m_options.id;
}

void Agent::print(const std::string& line) {
    m_out.push(line);
}

std::string Agent::eventLine(const baton::Event& e, const char* reason) const {
    baton::wire::EventMessage m = baton::wire::eventMessage(e, m_id, m_options.resource, m_clock);
    if (reason)
        m.reason = reason;
    m.t = m_clock.unixMs(e.at);
    if (m.deadline)
        m.deadline = m_clock.unixMs(e.deadline);
    return baton::wire::encode(m);
}

void Agent::log(Level level, const std::string& text) const {
    // UTC with milliseconds, as ISO 8601 writes it: lines from agents on several hosts sort
    // together, and match the event lines' wall-clock times to the millisecond.
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char stamp[32] = {};
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    const char* name = level == Level::Error     ? "error"
                       : level == Level::Warning ? "warning"
                                                 : "info";
    // Text from outside (ids, resource names, control messages) is in these lines: nothing in
    // them may end the line, forge another or reach the terminal as an escape code.
    std::fprintf(stderr, "%s.%03dZ baton-agent[%s] %s: %s\n", stamp, static_cast<int>(ms),
                 baton::visible(m_id, 128).c_str(), name, baton::visible(text, 4096).c_str());
}

bool Agent::NoteLimiter::allow(std::uint64_t& held) {
    const baton::TimePoint now = baton::SteadyClock::instance().now();
    if (m_refilled == baton::TimePoint{})
        m_refilled = now;
    while (m_tokens < m_burst && now - m_refilled >= m_every) {
        ++m_tokens;
        m_refilled += m_every;
    }
    if (m_tokens == m_burst)
        m_refilled = now;
    if (m_tokens == 0) {
        ++m_held;
        return false;
    }
    --m_tokens;
    held = std::exchange(m_held, 0);
    return true;
}

void Agent::reportError(const std::string& reason) {
    baton::Event e;
    e.type = baton::EventType::Error;
    e.at = m_clock.now();
    e.message = reason;
    const std::string json = eventLine(e);
    print(json);
    log(Level::Error, reason);
    if (m_presence)
        m_presence->publish(json);
}

void Agent::onEvent(const baton::Event& e) {
    using baton::EventType;
    if ((m_resigning && e.type == EventType::Stopped) ||
        (e.type == EventType::Started && m_hideStarted.exchange(false)))
        return;
    const bool resigned = m_resigning && e.type == EventType::Revoked;
    const std::string json = eventLine(e, resigned ? "resigned" : nullptr);
    const bool chatty = e.type == EventType::Extended || e.type == EventType::ExtendFailed;
    if (!chatty || m_options.verbose)
        print(json);
    if (e.type == EventType::Error || e.type == EventType::ExtendFailed)
        log(Level::Error, e.message);
    if (e.type == EventType::Elected)
        ++m_elected;
    if (e.type == EventType::Revoked)
        ++m_revoked;
    noteFailover(e);
    if (m_presence) {
        // A leader's extends go to Redis only with --verbose (the lab starts agents so): in
        // steady state a leader costs one extend per refresh interval and nothing else.
        if (e.type != EventType::Extended || m_options.verbose)
            m_presence->publish(json);
        // The state field is kept by run()'s loop alone (currentState()); events only bring
        // who leads and the fence.
        if (e.type == EventType::Elected || e.type == EventType::LeaderChanged)
            m_presence->update([&](baton::MemberInfo& m) {
                m.leader = e.type == EventType::Elected ? m_id : e.leader;
                if (e.fence)
                    m.fence = e.fence;
                if (e.type == EventType::Elected)
                    m.termStartMs = baton::unixMsNow(); // what `status` shows as the term's age
            });
        if (e.type == EventType::Revoked)
            m_presence->update([](baton::MemberInfo& m) { m.termStartMs = 0; });
    }
}

void Agent::onControl(const std::string& payload) {
    std::uint64_t held = 0;
    if (!m_options.allowControl) {
        // Not parsed, not echoed, not republished: anyone who can publish on the channel could
        // otherwise fill this agent's logs. A note now and then says that traffic arrives.
        if (m_ignoredControl.allow(held))
            log(Level::Info,
                "ignoring messages on baton:{" + m_options.resource + "}:control" +
                    (held ? " (" + std::to_string(held) + " more since the last note)" : "") +
                    ": start with --allow-control to obey them");
        return;
    }
    const auto report = [&](const std::string& why) {
        if (m_badControl.allow(held))
            reportError("bad control message (ignored): " + why + ": " +
                        baton::visible(payload, 200) +
                        (held ? " (" + std::to_string(held) + " more held back)" : ""));
    };
    const auto header = baton::wire::decodeControlHeader(payload);
    if (!header)
        return report(header.error());
    if (!header->isFor(m_id))
        return;
    const auto message = baton::wire::decodeControl(payload);
    if (!message)
        return report(message.error());
    try {
        obey(*message);
    } catch (const std::exception& e) { // ConfigError from set: nothing changes
        report(e.what());
    }
}

void Agent::obey(const baton::wire::ControlMessage& m) {
    using baton::wire::ControlCommand;
    switch (m.command) {
    case ControlCommand::Set: {
        baton::Timing t = m_election->timing();
        t.ttl = m.ttl.value_or(t.ttl);
        t.refreshInterval = m.refresh.value_or(t.refreshInterval);
        t.retryInterval = m.retry.value_or(t.retryInterval);
        m_election->setTiming(t);
        m_presence->update([&](baton::MemberInfo& member) {
            member.ttl = t.ttl;
            member.refresh = t.refreshInterval;
            member.retry = t.retryInterval;
        });
        log(Level::Info, "control: ttl " + baton::formatDuration(t.ttl) + ", refresh " +
                             baton::formatDuration(t.refreshInterval) + ", retry " +
                             baton::formatDuration(t.retryInterval));
        break;
    }
    case ControlCommand::Stop:
        log(Level::Info, "control: stop");
        ::kill(::getpid(), SIGTERM);
        break;
    case ControlCommand::Pause:
        log(Level::Info, "control: pause for " + baton::formatDuration(m.length));
        baton::ElectionFaults::pause(*m_election, m.length);
        break;
    case ControlCommand::Partition:
        log(Level::Info, "control: partition for " + baton::formatDuration(m.length));
        m_faults->partitionFor(m.length);
        break;
    case ControlCommand::Resign:
        if (!m_election->isLeader()) {
            log(Level::Info, "control: resign ignored: not the leader");
            break;
        }
        // The stop waits for the store: never on this (subscription) thread.
        m_resignHoldOff = (m.length > baton::Duration::zero() ? m.length : m_options.ttl).count();
        ::kill(::getpid(), SIGUSR1);
        break;
    }
}

std::string Agent::currentState() const {
    if (baton::ElectionFaults::paused(*m_election))
        return "paused";
    if (m_faults->partitioned())
        return "partitioned";
    return m_election->isLeader() ? "leader" : "follower";
}

sigset_t Agent::endingSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, sig);
    return signals;
}

sigset_t Agent::takenSignals() {
    sigset_t signals = endingSignals();
    sigaddset(&signals, SIGUSR1);
    return signals;
}

void Agent::blockEndingSignals() {
    // Taken through the stdout pump's signalfd in run(), never by a handler. Blocked before any
    // thread starts, so that no thread can die of one however many arrive, and whenever: during
    // the first connect, while leading, while stopping. SIGUSR1 (a resign's wake-up) too: one
    // from outside is ignored.
    const sigset_t signals = takenSignals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

baton::Config Agent::electionConfig() {
    baton::Config config;
    config.resource = m_options.resource;
    config.identity = m_id;
    config.timing.ttl = m_options.ttl;
    config.timing.refreshInterval = m_options.refresh;
    config.timing.retryInterval = m_options.retry;
    config.maxClockDrift = m_options.maxDrift;
    config.pollingOnly = m_options.pollingOnly;
    config.onEvent = [this](const baton::Event& e) { onEvent(e); };
    return config;
}

std::optional<int> Agent::connect(const baton::Config& config) {
    baton::RedisOptions redisOptions;
    redisOptions.connectTimeout = 1s;
    redisOptions.commandTimeout = 500ms; // a stop must finish within a second
    baton::RedisOptions electionOptions = redisOptions;
    // The subscription is quiet in steady state (nobody releases, extends are not published):
    // TCP keep-alive, not PINGs, finds a dead one, within twice the ttl (a missed release
    // notice costs a follower at most the holder's remaining TTL: it tries at the expiry).
    electionOptions.keepAlive = m_options.ttl;
    electionOptions.tcpKeepAlive = true;
    try {
        m_side = std::make_unique<baton::RedisStore>(m_options.redis, redisOptions);
        electionOptions.minReplicas = m_options.minReplicas; // only lock calls wait for replicas
        electionOptions.replicaTimeout = m_options.replicaTimeout;
        m_store = std::make_unique<baton::RedisStore>(m_options.redis, electionOptions);
        // A missing permission or a replica would otherwise show only as errors without end,
        // or not at all (a SUBSCRIBE refused loses every notice): say it once, and exit 3.
        m_store->checkElectionAccess(m_options.resource);
    } catch (const baton::UrlError& e) {
        log(Level::Error, e.what());
        return 2;
    } catch (const baton::StoreError& e) {
        log(Level::Error, e.what());
        return 3;
    }
    m_faults = std::make_unique<baton::FaultStore>(*m_store);
    m_timed = std::make_unique<TimedStore>(*m_faults, m_clock);
    m_locker = std::make_unique<baton::Locker>(*m_timed);
    m_election = std::make_unique<baton::Election>(*m_locker, config, m_clock);
    return std::nullopt;
}

void Agent::warnOfATwin() {
    // Two electors with one id share one presence entry: observers then see one elector where
    // there are two. The election stays safe (tokens, not ids, hold the lock), so a warning.
    try {
        for (const auto& [id, value] :
             m_side->hgetall(baton::RedisStore::key(m_options.resource, "members"))) {
            if (id != m_id)
                continue;
            const auto twin = baton::wire::decodeMember(id, value);
            const double ageMs = baton::unixMsNow() - (twin ? twin->seenMs : 0);
            if (twin && (twin->pid != ::getpid() || twin->host != hostName()) &&
                ageMs < std::chrono::duration<double, std::milli>(twin->ttl).count())
                log(Level::Warning,
                    "another elector uses the id '" + m_id + "' (pid " + std::to_string(twin->pid) +
                        " on " + twin->host + ", seen " +
                        std::to_string(static_cast<long long>(ageMs)) +
                        " ms ago): the two share one presence entry and observers see one; give "
                        "each elector its own --id");
        }
    } catch (const baton::StoreError&) {
        // Presence reports its own errors when it starts; this check is only a courtesy.
    }
}

void Agent::joinPresence() {
    warnOfATwin();
    baton::MemberInfo self;
    self.id = m_id;
    self.ttl = m_options.ttl;
    self.refresh = m_options.refresh;
    self.retry = m_options.retry;
    self.pollingOnly = m_options.pollingOnly;
    self.control = m_options.allowControl;
    self.host = hostName();
    self.pid = ::getpid();
    m_presence = std::make_unique<baton::Presence>(*m_side, m_options.resource, self,
                                                   [this](const std::string& error) {
                                                       ++m_presenceErrors;
                                                       // A dead Redis fails every heartbeat:
                                                       // say so once, not five times a second.
                                                       if (error != m_lastPresenceError)
                                                           log(Level::Error, error);
                                                       m_lastPresenceError = error;
                                                   });
    m_presence->carryOn(*m_store); // the election's acquires and extends write the entry
}

bool Agent::resign() {
    const baton::Duration holdOff(m_resignHoldOff.exchange(-1));
    const std::uint64_t fence = m_election->fence();
    m_resigning = true;
    m_election->stop(); // revoke (onRevoked returns), release: the others hear the notice
    m_resigning = false;
    // The state loop is held up until the hold-off ends: say now that it no longer leads.
    m_presence->update([](baton::MemberInfo& m) { m.state = "follower"; });
    log(Level::Info, "control: resigned (fence " + std::to_string(fence) +
                         "), out of the election for " + baton::formatDuration(holdOff));
    // Out of the election, nothing sends SIGUSR1 (a resign is ignored): one now is from outside.
    const auto end = std::chrono::steady_clock::now() + holdOff;
    for (auto now = std::chrono::steady_clock::now(); now < end;
         now = std::chrono::steady_clock::now())
        if (const int sig = m_out.serve(end - now); sig > 0 && sig != SIGUSR1) {
            log(Level::Info, std::string("got SIG") + sigabbrev_np(sig) + ", stopping");
            return false;
        }
    m_hideStarted = true;
    m_election->start();
    return true;
}

void Agent::waitForTheEnd() {
    std::string shownState;
    std::uint64_t reportedDrops = 0;
    while (true) {
        const int sig = m_out.serve(100ms); // writes stdout meanwhile, as far as it takes lines
        if (sig == SIGUSR1) {
            if (m_resignHoldOff >= 0 && !resign())
                return;
            shownState = "follower";
        } else if (sig > 0) {
            log(Level::Info, std::string("got SIG") + sigabbrev_np(sig) + ", stopping");
            return;
        }
        // Pauses and partitions end by themselves: keep the presence entry's state true.
        const std::string state = currentState();
        if (m_out.dropped() != reportedDrops) {
            reportedDrops = m_out.dropped();
            log(Level::Error, "standard output is not being read: dropped " +
                                  std::to_string(reportedDrops) + " event lines so far");
        }
        if (state != shownState) {
            shownState = state;
            m_presence->update([&](baton::MemberInfo& m) { m.state = state; });
        }
    }
}

int Agent::run() {
    const baton::Config config = electionConfig();
    try {
        baton::validate(config);
    } catch (const baton::ConfigError& e) {
        log(Level::Error, e.what());
        return 2;
    }
    if (const std::optional<int> failed = connect(config))
        return *failed;
    std::unique_ptr<MetricsServer> metricsServer;
    if (m_options.metricsPort) {
        try {
            metricsServer = std::make_unique<MetricsServer>(
                m_options.metricsAddress, *m_options.metricsPort, [this] { return metrics(); },
                [this] { return health(); });
        } catch (const std::exception& e) {
            log(Level::Error, e.what());
            return 2;
        }
    }
    joinPresence();
    // On the election's subscription connection: a connection of its own would cost the
    // server one more client and keep-alive. onControl never calls the store, as a
    // subscription callback must not.
    baton::Subscription control =
        m_store->subscribeChannel(baton::RedisStore::key(m_options.resource, "control"),
                                  [this](const std::string& payload) { onControl(payload); });

    log(Level::Info, "electing for '" + m_options.resource + "' on " + m_store->endpoint() +
                         " (ttl " + baton::formatDuration(m_options.ttl) + ", refresh " +
                         baton::formatDuration(m_options.refresh) + ", retry " +
                         baton::formatDuration(m_options.retry) +
                         (m_options.pollingOnly ? ", polling-only mode" : "") +
                         (m_options.allowControl ? ", control allowed" : "") + ")");
    if (m_clock.rate() != 1) {
        std::ostringstream rate;
        rate << m_clock.rate();
        log(Level::Warning, "--clock-rate " + rate.str() +
                                ": this agent's clock runs at that many seconds per true second "
                                "(for demonstrations and tests only)");
    }
    m_election->start();
    waitForTheEnd();
    control.reset();
    m_election->stop(); // revoke (onRevoked returns), release, "stopped"
    m_presence->leave();
    if (!m_out.finish(1s))
        log(Level::Error,
            "standard output is blocked: exiting without writing the last event lines");
    return 0;
}

} // namespace agent
