#pragma once
// The lab's side of the core's term rule (baton/sim/terms.h): lab events and snapshots become
// TermInputs, TermChanges come back in lab time. The timeline (LeadershipHistory) and the
// failover figures (FailoverStats) each feed one and so see the same terms.

#include "backend/lab_types.h"

#include <baton/sim/terms.h>

#include <functional>

namespace baton::lab {

using baton::TermEnd;

/// "open", "revoked", "stopped", "crashed", "deadline passed", "elected again".
QString termEndName(TermEnd how);

/// One step of a term in lab time (a deadline of zero: none known).
struct TermChange {
    using Kind = baton::TermChange::Kind;
    Kind kind = Kind::Began;
    int elector = -1;
    LabTime at{};                ///< Began: its begin; Extended: the extend; Ended: its end
    LabTime begin{};             ///< the term's begin
    quint64 fence = 0;           ///< the term's fence
    LabTime deadline{};          ///< Began, Extended: the self-fencing deadline (zero: none known)
    TermEnd how = TermEnd::Open; ///< Ended
    bool byElected = false;      ///< Began: by an "elected" (else an "extended" with no term open)
};

/// The core's TermTracker on lab events: "elected", "extended" (one with no term open begins
/// one: the lab joined mid-term), "revoked", "stopped", and the "crash" and "stop" faults (a
/// dying agent's "revoked" may be lost). A deadline before its event is taken to be the event's.
class TermTracker {
public:
    using Callback = std::function<void(const TermChange&)>;

    /// Handles `event`: first ends the terms whose deadline passed before it, then applies it.
    /// Returns the event's time as used (never before an earlier one).
    LabTime add(const LabEvent& event, const Callback& onChange);
    /// Lab time is now `snapshot.now`: ends the terms whose deadline passed, except those the
    /// snapshot shows still leading with a later deadline (their extend is on its way).
    void advance(const ClusterSnapshot& snapshot, const Callback& onChange);
    /// Ends the terms whose deadline is before `now`.
    void advanceTo(LabTime now, const Callback& onChange);

    /// The electors that lead now, by id.
    QVector<int> leaders() const;
    qsizetype leaderCount() const { return static_cast<qsizetype>(m_core.leaderCount()); }
    bool leads(int elector) const { return m_core.leads(elector); }
    bool everElected() const { return m_core.everElected(); }
    LabTime watermark() const { return m_core.watermark() - TimePoint{}; }

    void clear() { m_core.clear(); }

    /// The core tracker, for rules that read it (the failover rule).
    const baton::TermTracker& core() const { return m_core; }

private:
    baton::TermTracker m_core{baton::TermTracker::Options{true}};
};

/// A core TermChange in lab time, and back.
TermChange toLab(const baton::TermChange& change);
baton::TermChange toCore(const TermChange& change);

} // namespace baton::lab
