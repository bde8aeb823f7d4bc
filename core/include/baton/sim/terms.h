#pragma once
// The rule for when an elector leads and what a failover is, written once: TermTracker derives
// terms from events fed one at a time, FailoverTracker blames each loss of leadership on a fault
// by a FailoverPolicy. The checker feeds a whole History (leadershipIntervals, ofHistory()); the
// lab feeds live events (live()).

#include "baton/sim/history.h"

#include <functional>
#include <initializer_list>
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
    TermEnd how = TermEnd::Open; ///< Open: the run's end cut it
};

/// The leadership intervals of a history (its events and crashes fed to a TermTracker), ordered
/// by their start; terms of no length are left out.
std::vector<LeadershipInterval> leadershipIntervals(const History& history);

/// A set of fault kinds.
class FaultKinds {
public:
    constexpr FaultKinds() = default;
    constexpr FaultKinds(std::initializer_list<FaultKind> kinds) {
        for (FaultKind kind : kinds)
            m_bits = static_cast<std::uint16_t>(m_bits | bit(kind));
    }
    constexpr bool contains(FaultKind kind) const { return (m_bits & bit(kind)) != 0; }

private:
    static constexpr std::uint16_t bit(FaultKind kind) {
        return static_cast<std::uint16_t>(1U << static_cast<unsigned>(kind));
    }
    std::uint16_t m_bits = 0;
};

/// Which fault a loss of leadership is blamed on, and when the blame is laid.
enum class Blame : std::uint8_t {
    /// Live: a fault striking an elector that believes it leads is blamed at once; while somebody
    /// still leads, a newer one replaces it (the newest fault on a leader that still leads); the
    /// struck leader extending after it rode it out. One failover at a time. Needs no fault's
    /// end, which nobody knows while the fault lasts.
    NewestFault,
    /// After the fact: a fault striking a term (its elector had it open at the fault's instant,
    /// the term begun last if two were) is blamed when that term ends no later than the fault
    /// did; of several, the first fed. A term ending after the fault rode it out. One failover a
    /// term; several may be under way at once. Needs each fault's end.
    FirstOutlasting,
};

/// The failover rule's settings: who is blamed, for what, and whether a loss nobody caused
/// counts.
struct FailoverPolicy {
    Blame blame = Blame::NewestFault;
    FaultKinds causes; ///< the kinds a failover can be blamed on
    /// A term ending (revoked, stopped, deadline passed) with nobody leading, no failover under
    /// way and no fault to blame starts a failover with no cause.
    bool blameless = true;

    /// The lab's: NewestFault; crash, pause, partition and stop; blameless failovers count.
    static FailoverPolicy live();
    /// The checker's: FirstOutlasting; every fault that acts on a running elector (crash, stop,
    /// pause, partition, latency, drift); blameless losses are not failovers.
    static FailoverPolicy ofHistory();
};

/// A fault as the failover rule reads it.
struct StruckFault {
    FaultKind kind = FaultKind::Crash;
    int elector = -1;
    TimePoint at;
    TimePoint end; ///< when it ended (`at`: at once; TimePoint::max: never); FirstOutlasting
    bool wasLeader = false; ///< its elector believed it led; NewestFault
    std::size_t id = 0;     ///< the caller's, handed back with the failover
};

/// A loss of leadership under way: since when, what caused it (none: nobody caused it, the
/// leader revoked or lapsed by itself), whom the fault struck and in which term.
struct PendingFailover {
    TimePoint since;
    std::optional<FaultKind> cause;
    int elector = -1;
    std::size_t fault = 0; ///< the fault's StruckFault::id
    TimePoint termBegin;   ///< the struck term's begin and fence (zero: the tracker saw no term)
    std::uint64_t fence = 0;
};

/// A failover an election ended (or the run's end: newLeader -1).
struct MeasuredFailover {
    PendingFailover start;
    int newLeader = -1;
    Duration latency{}; ///< from `start.since` to the election (or the run's end)
};

/// The failover rule, one for the lab and the checker, each with its FailoverPolicy. A fault of
/// a cause kind striking a leader is blamed as the policy says (Blame); a term ending with nobody
/// to blame may start a failover with no cause; the first election fed after the fault ends it.
/// Feed it every TermChange, and each fault after TermTracker::advanceTo(at) and before the
/// fault's own input. At one instant that is: the terms that begin, the faults, the terms that
/// end, so a fault at a term's first or last instant strikes it. A History records a stop after
/// the revocation it caused: feed its faults before the ends of the same instant.
class FailoverTracker {
public:
    using Callback = std::function<void(const MeasuredFailover&)>;

    FailoverTracker()
        : FailoverTracker(FailoverPolicy::live()) {}
    explicit FailoverTracker(FailoverPolicy policy)
        : m_policy(policy) {}

    /// `fault` struck; `leaders`: terms open.
    void fault(const StruckFault& fault, std::size_t leaders);
    /// A term changed; `leaders`: terms open after it. `onFailover` runs for each failover it
    /// ended (an election may end several; FirstOutlasting: so may a term's end, when an
    /// election came after the fault but before the term ended).
    void change(const TermChange& change, std::size_t leaders, const Callback& onFailover);
    /// The run ended at `end`: each failover under way is reported with no new leader.
    void finish(TimePoint end, const Callback& onFailover);

    /// The oldest failover under way.
    std::optional<PendingFailover> pending() const;
    const FailoverPolicy& policy() const { return m_policy; }
    void clear();

private:
    struct Election {
        int elector = -1;
        TimePoint at;
    };
    /// A fault blamed if its term ends while it lasts (FirstOutlasting).
    struct Suspect {
        PendingFailover blamed;
        TimePoint end;
        std::optional<Election> firstElection; ///< the first one after the fault
    };
    struct OpenTerm {
        int elector = -1;
        TimePoint begin;
        std::uint64_t fence = 0;
        std::vector<Suspect> suspects;
    };

    PendingFailover blame(const StruckFault& fault) const;
    void elected(const TermChange& change, const Callback& onFailover);
    void ended(const TermChange& change, std::size_t leaders, const Callback& onFailover);
    OpenTerm* latestTerm(int elector);

    FailoverPolicy m_policy;
    std::vector<OpenTerm> m_open;            ///< in the order they began
    std::vector<PendingFailover> m_underway; ///< NewestFault: at most one
};

} // namespace baton
