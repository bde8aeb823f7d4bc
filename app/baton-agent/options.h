#pragma once
// baton-agent's command line.

#include <baton/base/clock.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace agent {

/// A command line that cannot be used: a one-line reason (exit code 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string redis;
    std::string resource;
    std::string id;
    baton::Duration ttl = std::chrono::seconds(5);
    baton::Duration refresh = std::chrono::seconds(1);
    baton::Duration retry = std::chrono::seconds(5);
    double maxDrift = 0.01;
    double clockRate = 1; ///< --clock-rate: local seconds per true second (tests, demos)
    int minReplicas = 0;  ///< RedisOptions::minReplicas
    baton::Duration replicaTimeout = std::chrono::milliseconds(250);
    bool pollingOnly = false;
    bool allowControl = false;
    std::optional<int> metricsPort;
    std::string metricsAddress = "127.0.0.1";
    bool verbose = false;
    int shards = 0;        ///< > 0: campaign for NAME-0 ... NAME-(shards-1) (sharded.h)
    bool fairShare = true; ///< with shards: lead at most ceil(shards / live members)
    bool help = false;
    bool version = false;
};

/// Throws UsageError. `--help` and `--version` set their flags and stop parsing.
Options parse(int argc, char** argv);

extern const char* const kUsage;
extern const char* const kVersion;

} // namespace agent
