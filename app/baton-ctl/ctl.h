#pragma once
// baton-ctl's parts: what the command line asked (Request), the exit codes, and the commands,
// each a function from a Request to an exit code (cli.cpp parses and dispatches).

#include <baton/redis/redis_store.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ctl {

/// The exit codes, as --help says them.
enum Exit { Ok = 0, NotInTime = 1, BadUsage = 2, Unreachable = 3, NotPermitted = 4 };

/// Ends a command with `code`; its text goes to standard error (never a password).
class Failure : public std::runtime_error {
public:
    Failure(int code, const std::string& message)
        : std::runtime_error(message)
        , m_code(code) {}
    int code() const { return m_code; }

private:
    int m_code;
};

struct Request {
    std::string redis;   ///< the URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
    std::string command; ///< resources, status, watch, resign, stop, pause, partition, set
    bool json = false;
    std::vector<std::string> patterns;  ///< resources: foreign lock key patterns
    std::vector<std::string> resources; ///< status, watch, resign: the resource(s)
    std::string id;                     ///< control: the elector, or "*" with --resource
    std::string resource;               ///< control: its resource (default: found by scan)
    baton::Duration wait = std::chrono::seconds(5);
    baton::Duration holdOff{};                          ///< resign: 0 is the agent's ttl
    baton::Duration length{};                           ///< pause, partition: how long
    std::optional<baton::Duration> ttl, refresh, retry; ///< set
    bool forceDelete = false;
};

/// Parses the command line and runs it; the process's exit code.
int run(int argc, char** argv, const char* version);

/// Connects (the store's own checks of the URL and the login); Failure 2 or 3 when it cannot.
std::unique_ptr<baton::RedisStore> connect(const std::string& url);
/// A StoreError met after connecting as a Failure: 4 for a refused permission, else 3.
[[noreturn]] void fail(const baton::StoreError& e, const std::string& doing);

int resources(const Request& r);
int status(const Request& r);
int watch(const Request& r);
int resign(const Request& r);
/// stop, pause, partition, set: a control message to one agent, confirmed by its presence.
int control(const Request& r);

} // namespace ctl
