#pragma once
// Everything that happened in a simulated run, on virtual time: each elector's events, each
// fault, the store's view of the holder, the store calls and the protected resource's writes.
// The checker reads only this.

#include "baton/election/event.h"
#include "baton/sim/scenario.h"

#include <cstdint>
#include <string>
#include <vector>

namespace baton {

/// One elector of the run and its clock: local = localAtStart + (virtual - start) * clockRate.
struct ElectorInfo {
    std::string identity;
    double clockRate = 1.0;
    TimePoint start;        ///< virtual time of the run's start
    TimePoint localAtStart; ///< the elector's clock at that instant

    TimePoint toLocal(TimePoint virtualTime) const;
    /// The first virtual instant at which the elector's clock reads `local` or later.
    TimePoint toVirtual(TimePoint local) const;
};

/// An event of an elector's machine, stamped with the virtual time it happened at.
struct ElectorEvent {
    TimePoint at;
    int elector = 0;
    std::uint64_t incarnation = 0; ///< bumped at every crash and (re)start
    Event event;                   ///< times in it are on the elector's clock
};

/// A fault as it struck: on whom, from when to when.
struct FaultRecord {
    TimePoint at;
    TimePoint end; ///< when it ended (== at for instant faults; TimePoint::max if still on)
    int elector = -1;
    FaultKind kind = FaultKind::Crash;
    bool wasLeader = false; ///< the elector believed it led when the fault struck
    bool applied = true;    ///< false when it had nothing to act on (see detail)
    std::string detail;
};

/// The lock as the store saw it after a call changed it; an empty holder means free.
struct StoreView {
    TimePoint at;
    int elector = -1; ///< the holder's index, -1 when free
    std::uint64_t fence = 0;
    TimePoint expiresAt;
};

/// A leader's write to the protected resource.
struct WriteRecord {
    enum class Outcome : std::uint8_t { Accepted, Rejected, Corrupted };
    TimePoint decidedAt; ///< when the writer checked isLeader()
    TimePoint at;        ///< when it reached the resource
    int elector = 0;
    std::uint64_t fence = 0;
    std::uint64_t newestSeen = 0; ///< the resource's newest fence before this write
    Outcome outcome = Outcome::Accepted;
};

/// A primary kill of a replicated store (Scenario::replication) and the promotion after it.
struct FailoverRecord {
    TimePoint killedAt;
    TimePoint promotedAt;
    std::size_t lostWrites = 0; ///< writes the promoted replica had not received
    bool lockLost = false;      ///< the promoted replica had no live lock of the primary's holder
};

struct History {
    std::uint64_t seed = 0;
    std::string resource;
    TimePoint start;
    TimePoint end;
    bool fencing = true;
    std::vector<ElectorInfo> electors;
    std::vector<ElectorEvent> events;
    std::vector<FaultRecord> faults;
    std::vector<StoreView> store;
    std::vector<WriteRecord> writes;
    std::vector<std::uint64_t> storeCalls; ///< calls that reached the store, per elector
    std::vector<FailoverRecord> failovers; ///< the replicated store's, as far as calls saw them
    /// Why the run ended before its scenario's end (a record cap), or "" when it did not.
    std::string cutShort;

    /// Events, store views and writes recorded: what grows with a run's length.
    std::size_t records() const { return events.size() + store.size() + writes.size(); }
};

/// One line per record, in a stable format: for diffs, replays and determinism checks.
std::string toText(const History& history);

} // namespace baton
