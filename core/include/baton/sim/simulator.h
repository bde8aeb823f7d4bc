#pragma once
// A whole cluster on virtual time: N electors (the production ElectionMachine, driven here
// instead of by threads) on one MemoryStore that runs on the simulator's clock, with per-elector
// clock drift, store latency and faults. Deterministic: one scenario and seed, one history.

#include "baton/election/election_machine.h"
#include "baton/sim/history.h"
#include "baton/sim/protected_resource.h"
#include "baton/sim/scenario.h"

#include <memory>
#include <optional>

namespace baton {

class Simulator {
public:
    /// What an elector is and does at the current virtual time (for views and tests).
    struct ElectorState {
        std::string identity;
        bool alive = false;   ///< its process exists (not crashed)
        bool running = false; ///< its machine is started and not stopped
        bool paused = false;
        bool partitioned = false;
        bool leader = false; ///< isLeader() on its own clock now
        std::uint64_t fence = 0;
        TimePoint deadline; ///< self-fencing deadline in virtual time, while leading
        TimePoint nextWake; ///< when its machine next acts unprompted (virtual; max: never)
        bool pollingOnly = false;
        double clockRate = 1.0;
        Duration latency{}; ///< one-way latency now, spikes included
        Timing timing;
        std::string seenLeader; ///< the leader as this elector last saw it
    };

    /// Validates `scenario` (throws std::invalid_argument) and schedules its faults.
    explicit Simulator(const Scenario& scenario);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// Handles the next event; false when nothing is left before the scenario's end.
    bool step();
    /// Handles every event up to `t` (at most the end), then sets the clock to `t`.
    void runUntil(TimePoint t);
    void runFor(Duration d) { runUntil(now() + d); }
    /// Runs to the scenario's end.
    void run() { runUntil(end()); }

    TimePoint now() const;
    TimePoint start() const { return m_start; }
    TimePoint end() const { return m_end; }
    bool finished() const { return now() >= m_end; }
    /// When the next event happens (empty when none is left before the end).
    std::optional<TimePoint> nextEventTime() const;

    /// Injects a fault now (its `at` is ignored); a GUI's kill, pause, partition, ...
    void inject(Fault fault);
    /// How many steps have been taken at the current instant (0 once the clock has moved past
    /// the last one): a fault injected now and saved with this as its Fault::after strikes in
    /// the same place when the saved run is played.
    int stepsNow() const;
    /// Schedules a fault at `fault.at` from the start (now if that has passed).
    void schedule(Fault fault);

    std::size_t size() const;
    ElectorState elector(std::size_t index) const;
    /// The virtual instant at which elector `index`'s clock reads `local` (with its current rate).
    TimePoint toVirtual(std::size_t index, TimePoint local) const;
    /// The lock as the store holds it now.
    std::optional<StoreView> lock() const;
    const ProtectedResource& protectedResource() const;
    /// The history so far (its end is the current time).
    const History& history() const;
    /// Moves the history out (for a finished run: the simulator keeps an empty one).
    History takeHistory();
    /// Drops the events, writes and store views recorded so far (the last store view stays),
    /// for an endless run whose reader has consumed them (the lab). Faults and counters stay.
    void discardRecords();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    TimePoint m_start;
    TimePoint m_end;
};

/// Runs `scenario` to its end and returns the history.
History simulate(const Scenario& scenario);

} // namespace baton
