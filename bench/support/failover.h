#pragma once
// Failover rounds on clusters of three baton-agent processes, shared by the graceful-handover
// and crash-failover benchmarks: signal the leader, time the next `elected` from the agents'
// own JSON lines, replace the signalled process, repeat.
//
// Several clusters (each on a resource of its own) run side by side so that rounds that wait
// for a lock's expiry overlap; the variants (Baton, polling-only mode) take turns. Rounds never
// overlap where it could matter: each fired round reserves a window around its expected failover,
// and no other round fires into it; no agent process is started near a pending window of a
// `precise` variant (millisecond figures), so process start-up never runs into the moment
// being measured.

#include "support/redis.h"

#include <QStringList>

#include <string>
#include <vector>

namespace baton::bench {

struct FailoverVariant {
    QString name;     ///< "Baton", "polling-only mode"
    QStringList args; ///< extra baton-agent arguments, e.g. --polling-only
    bool precise;     ///< its failover takes milliseconds (keep process starts away)
    double windowMs;  ///< how long after the expected failover moment it may take
};

struct FailoverPlan {
    int signal = 0;           ///< SIGTERM (graceful) or SIGKILL (crash)
    bool sinceExpiry = false; ///< latency from the lock's expiry (PTTL before the kill)
    int rounds = 30;          ///< per variant
    int clustersPerVariant = 1;
    QStringList agentArgs; ///< --ttl, --refresh, --retry
    double periodMs = 0;   ///< the refresh and retry interval: rounds fire and agents start at
                           ///< random points of it
    int timeoutMs = 0;     ///< a round with no new leader by then is counted as missed
};

struct FailoverResult {
    std::vector<double> latencyMs;
    int missed = 0;       ///< rounds without a new leader within the timeout
    int extendsRaced = 0; ///< crash rounds where an extend landed between PTTL read and kill
    std::vector<double> revokedMs;    ///< graceful rounds: signal -> the old leader's `revoked`
    std::vector<double> fromSignalMs; ///< signal -> the next `elected`, whatever `sinceExpiry`
};

/// Runs plan.rounds rounds of every variant on `server`; one result per variant.
std::vector<FailoverResult> runFailovers(const test::RedisServer& server, const FailoverPlan& plan,
                                         const std::vector<FailoverVariant>& variants);

} // namespace baton::bench

namespace baton::bench {

class Figure;
class Report;

/// Baton (push wake-up) and polling-only mode (followers poll every retry interval), as agent
/// arguments.
std::vector<FailoverVariant> baselineVariants(double retryMs);

/// Adds one latency figure per variant (Baton's compared to polling-only mode's), notes missed
/// rounds and the plan to the report; returns the figures in the order of `variants`.
std::vector<Figure*> reportFailovers(Report& report, const QString& figure,
                                     const FailoverPlan& plan,
                                     const std::vector<FailoverVariant>& variants,
                                     const std::vector<FailoverResult>& results);

/// The plan of both failover benchmarks: ttl 5 s, refresh and retry 1 s, rounds fired at random
/// points of a second; `signal` SIGTERM or SIGKILL.
FailoverPlan standardPlan(int signal);
/// Runs `plan` for Baton and polling-only mode on a server of its own and reports the figures;
/// returns Baton's.
Figure& measureFailovers(Report& report, const QString& figure, const FailoverPlan& plan);

} // namespace baton::bench
