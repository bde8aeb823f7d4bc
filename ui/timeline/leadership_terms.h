#pragma once
// The rules for when an elector leads, in one place: the timeline (LeadershipHistory) and the
// failover figures (FailoverStats) each feed a TermTracker the same events and snapshots and so
// see the same terms.

#include "backend/lab_types.h"

#include <functional>
#include <map>

namespace baton::lab {

/// How a leadership term ended.
enum class TermEnd : quint8 {
    Open,      ///< it has not
    Revoked,   ///< the elector said so ("revoked")
    Stopped,   ///< the elector stopped ("stopped", or a "stop" fault)
    Crashed,   ///< a "crash" fault
    Deadline,  ///< its self-fencing deadline passed without an extend
    Reelected, ///< a new "elected" of the same elector (its revocation was not seen)
};

/// "open", "revoked", "stopped", "crashed", "deadline passed", "elected again".
QString termEndName(TermEnd how);

/// One step of a term, as reported to TermTracker's callback.
struct TermChange {
    enum class Kind : quint8 { Began, Extended, Ended };
    Kind kind = Kind::Began;
    int elector = -1;
    LabTime at{};                ///< Began: its begin; Extended: the extend; Ended: its end
    LabTime begin{};             ///< the term's begin
    quint64 fence = 0;           ///< the term's fence
    LabTime deadline{};          ///< Began, Extended: the self-fencing deadline (zero: none known)
    TermEnd how = TermEnd::Open; ///< Ended
    bool byElected = false;      ///< Began: by an "elected" (else an "extended" with no term open)
};

/// Derives leadership terms from the lab's events. A term begins at "elected" (or at an
/// "extended" when none is open: the lab joined mid-term), moves its deadline at "extended",
/// and ends at "revoked", "stopped", a "crash" or "stop" fault, or at its deadline once lab time
/// (the next event or a snapshot) is past it. Events are expected in time order; a late one is
/// taken to happen at the latest time already handled, so changes are reported in time order.
class TermTracker {
public:
    using Callback = std::function<void(const TermChange&)>;

    /// Handles `event`: first ends the terms whose deadline passed before it, then applies it.
    /// `onChange` runs for each change, with the tracker already updated (leaders() is the set
    /// after the change). Returns the event's time as used (never before an earlier one).
    LabTime add(const LabEvent& event, const Callback& onChange);

    /// Lab time is now `snapshot.now`: ends the terms whose deadline passed, except those the
    /// snapshot shows still leading with a later deadline (their extend is on its way: the
    /// deadline moves to the snapshot's).
    void advance(const ClusterSnapshot& snapshot, const Callback& onChange);
    /// Ends the terms whose deadline is before `now`.
    void advanceTo(LabTime now, const Callback& onChange);

    /// The electors that lead now, by id.
    QVector<int> leaders() const;
    qsizetype leaderCount() const { return static_cast<qsizetype>(m_open.size()); }
    bool leads(int elector) const { return m_open.count(elector) != 0; }
    /// Some elector has been elected since the start (or the last clear()).
    bool everElected() const { return m_everElected; }
    /// The latest time handled.
    LabTime watermark() const { return m_watermark; }

    void clear();

private:
    struct OpenTerm {
        LabTime begin{};
        quint64 fence = 0;
        LabTime deadline{}; ///< zero: none known, it does not end by itself
    };

    void begin(int elector, LabTime at, quint64 fence, LabTime deadline, bool byElected,
               const Callback& onChange);
    void end(int elector, LabTime at, TermEnd how, const Callback& onChange);

    std::map<int, OpenTerm> m_open;
    LabTime m_watermark{};
    bool m_everElected = false;
};

} // namespace baton::lab
