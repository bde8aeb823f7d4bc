#pragma once
// One elector process: an Election on Redis whose events go to stdout as JSON lines and to
// Redis for observers, steerable over baton:{R}:control when allowed.

#include "line_writer.h"
#include "options.h"

#include <baton/election/election.h>
#include <baton/redis/presence.h>
#include <baton/redis/redis_store.h>
#include <baton/store/fault_store.h>
#include <baton/wire/control.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace agent {

class Agent {
public:
    explicit Agent(Options options);
    /// Runs until SIGTERM, SIGINT or a stop command; returns the exit code.
    int run();

private:
    void onEvent(const baton::Event& e);
    void onControl(const std::string& payload);
    void obey(const baton::wire::ControlMessage& message);
    void reportError(const std::string& reason);
    std::string metrics() const;
    void print(const std::string& line);
    void log(const std::string& text) const;
    std::string currentState() const;

    Options m_options;
    std::string m_id;
    LineWriter m_out;                           // stdout, written on a thread of its own
    std::unique_ptr<baton::RedisStore> m_store; // the election's connections (control heard here)
    std::unique_ptr<baton::RedisStore> m_side;  // presence and events
    std::unique_ptr<baton::FaultStore> m_faults;
    std::unique_ptr<baton::Locker> m_locker;
    std::unique_ptr<baton::Election> m_election;
    std::unique_ptr<baton::Presence> m_presence;
    std::atomic<std::uint64_t> m_elected{0}, m_revoked{0}, m_presenceErrors{0};
    std::string m_lastPresenceError; // only touched on the presence thread
};

} // namespace agent
