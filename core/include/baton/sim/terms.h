#pragma once
// The rule for when an elector leads and what a failover is, written once: TermTracker derives
// terms from events fed one at a time, FailoverTracker blames each loss of leadership on a
// fault. The checker feeds a whole History (leadershipIntervals); the lab feeds live events.

#include "baton/sim/history.h"

#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace baton {

/// How a leadership term ended.
enum class TermEnd : std::uint8_t {
    Open,      ///< it has not (or the record stops here)
    Revoked,   ///< the elector said so
    Stopped,   ///< the elector stopped (or was stopped)
    Crashed,   ///< its process crashed
    Deadline,  ///< its self-fencing deadline passed without an extend
    Reelected, ///< a new election of the same elector (its revocation was not seen)
};

/// "open", "revoked", "stopped", "crashed", "deadline passed", "elected again".
std::string_view termEndLabel(TermEnd how);

/// One thing that happened to an elector, as far as its terms are concerned.
struct TermInput {
    enum class Kind : std::uint8_t {
        Elected,  ///< it won the lock (fence, deadline)
        Extended, ///< it extended its lease (deadline; a fence of 0: unchanged)
        Revoked,  ///< it stopped leading
        Stopped,  ///< it stopped, or was stopped (its revocation may be lost)
        Crashed,  ///< its process died
        Other,    ///< any other event: only tells its incarnation
    };
    Kind kind = Kind::Other;
    int elector = -1;
    TimePoint at;
    std::uint64_t incarnation = 0; ///< its process; a new one ends nothing but the old one's say
    std::uint64_t fence = 0;
    std::optional<TimePoint> deadline; ///< Elected, Extended: none known, it does not lapse
};

/// One step of a term, as reported to TermTracker's callback.
struct TermChange {
    enum class Kind : std::uint8_t { Began, Extended, Ended };
    Kind kind = Kind::Began;
    int elector = -1;
    TimePoint at;                      ///< Began: its begin; Extended: the extend; Ended: its end
    TimePoint begin;                   ///< the term's begin
    std::uint64_t fence = 0;           ///< the term's fence
    std::optional<TimePoint> deadline; ///< the self-fencing deadline as last extended
    TermEnd how = TermEnd::Open;       ///< Ended
    bool byElected = false;            ///< Began: by an election (else a join mid-term)
};

/// Derives leadership terms. A term begins at an election, moves its deadline at an extend, and
/// ends at a revocation, a stop, a crash, a new election of the same elector, or its deadline:
/// at the deadline once time (the next input) is past it, or at an extend that comes at or after
/// it (isLeader() is `now < deadline`). An input of a new incarnation leaves the old process's
/// term to end by its deadline or a crash. Inputs are expected in time order; a late one is taken
/// to happen at the latest time already handled, so changes are reported in time order.
class TermTracker {
public:
    struct Options {
        /// An extend with no term open begins one (an observer that joined mid-term).
        bool joinMidTerm = false;
    };
    using Callback = std::function<void(const TermChange&)>;

    TermTracker() = default;
    explicit TermTracker(Options options)
        : m_options(options) {}

    /// First ends the terms whose deadline passed before `input.at`, then applies it. `onChange`
    /// runs for each change with the tracker already updated. Returns the time used.
    TimePoint add(const TermInput& input, const Callback& onChange);
    /// Ends the terms whose deadline is before `now`, in deadline order.
    void advanceTo(TimePoint now, const Callback& onChange);
    /// Ends every open term at `end` (or its earlier deadline), as TermEnd::Open.
    void finish(TimePoint end, const Callback& onChange);
    /// Moves `elector`'s deadline on to `deadline` if its term has a known, earlier one (its
    /// extend is on its way).
    void moveDeadline(int elector, TimePoint deadline);

    /// The electors whose current process leads, by id.
    std::vector<int> leaders() const;
    /// Terms open, a replaced process's included.
    std::size_t leaderCount() const { return m_open.size() + m_orphans.size(); }
    bool leads(int elector) const { return m_open.count(elector) != 0; }
    /// Some elector has been elected since the start (or the last clear()).
    bool everElected() const { return m_everElected; }
    /// The latest time handled.
    TimePoint watermark() const { return m_watermark; }

    void clear();

private:
    struct Term {
        std::uint64_t incarnation = 0;
        std::uint64_t fence = 0;
        TimePoint begin;
        std::optional<TimePoint> deadline;
    };

    void begin(const TermInput& input, TimePoint at, bool byElected, const Callback& onChange);
    void extend(Term& term, const TermInput& input, TimePoint at, const Callback& onChange);
    void end(int elector, TimePoint at, TermEnd how, const Callback& onChange);
    static void report(int elector, const Term& term, TimePoint at, TermEnd how,
                       const Callback& onChange);

    Options m_options;
    std::map<int, Term> m_open;
    std::multimap<int, Term> m_orphans; ///< terms of replaced processes
    TimePoint m_watermark{};
    bool m_everElected = false;
};

/// One elector's term as the checker sees it: from its Elected event to the earlier of its
/// revocation, its self-fencing deadline (on its true clock), its crash and the run's end.
struct LeadershipInterval {
    int elector = 0;
    std::uint64_t fence = 0;
    TimePoint begin;
    TimePoint end;
};

/// The leadership intervals of a history (its events and crashes fed to a TermTracker), ordered
/// by their start; terms of no length are left out.
std::vector<LeadershipInterval> leadershipIntervals(const History& history);

/// A loss of leadership under way: since when, what caused it (none: nobody caused it, the
/// leader revoked or lapsed by itself) and whom the fault struck.
struct PendingFailover {
    TimePoint since;
    std::optional<FaultKind> cause;
    int elector = -1;
};

/// A failover an election ended.
struct MeasuredFailover {
    PendingFailover start;
    int newLeader = -1;
    Duration latency{}; ///< from `start.since` to the election
};

/// The failover rule. A fault that can cost leadership (crash, pause, partition, stop) striking
/// a leader starts a failover; while somebody still leads, a newer such fault replaces it (the
/// newest fault on a leader is the one to blame). The struck leader extending after it means it
/// rode the fault out. A term ending with nobody leading and no fault to blame starts one with no
/// cause. The next election ends it. Feed it each fault after TermTracker::advanceTo(at) and
/// before the fault's own input, and every TermChange.
class FailoverTracker {
public:
    /// Crash, pause, partition and stop.
    static bool canCostLeadership(FaultKind kind);

    /// `kind` struck `elector` at `at`; `wasLeader`: it believed it led; `leaders`: terms open.
    void fault(FaultKind kind, int elector, TimePoint at, bool wasLeader, std::size_t leaders);
    /// A term changed; `leaders`: terms open after it. Returns the failover an election ended.
    std::optional<MeasuredFailover> change(const TermChange& change, std::size_t leaders);

    const std::optional<PendingFailover>& pending() const { return m_pending; }
    void clear() { m_pending.reset(); }

private:
    std::optional<PendingFailover> m_pending;
};

} // namespace baton
