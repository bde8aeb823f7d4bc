#pragma once
// Another library's lock as the lab shows it: each poll of its key (holder, PTTL, or why it is
// no lock) becomes the lab's usual events (a holder's term begins, is extended, ends; the
// store's holder changes) and snapshots, so the timeline, log and statistics show it as they
// show Baton's. Pure: it is told the time and fed reads; nothing here does I/O.

#include "backend/lab_types.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace baton::lab {

/// One poll of the key.
struct LockRead {
    LabTime at{};                ///< when the reply came
    bool answered = true;        ///< false: Redis could not be asked (`error` says why)
    std::string holder;          ///< as the server holds it (raw bytes); empty: free
    std::optional<Duration> ttl; ///< its PTTL; nullopt: free, or no expiry
    std::string error;           ///< what is wrong with it (not a lock, no expiry, refused)
};

class ForeignLockTracker {
public:
    /// Distinct holders with a lane of their own; later ones share one lane (locks whose holder
    /// is a random token per acquisition must not grow the lab without bound).
    static constexpr int kMaxLanes = 24;
    /// An expiry that moves later by more than this between reads was extended.
    static constexpr Duration kExtendTolerance = std::chrono::milliseconds(50);

    explicit ForeignLockTracker(QString key);

    /// Takes one read (in time order): the events it causes, in time order.
    QVector<LabEvent> take(const LockRead& read);
    /// The lock and its holders at `now`; every action refused with `readOnly`.
    ClusterSnapshot snapshot(LabTime now, const QString& readOnly) const;

    /// Terms seen begin after the first one: how often the lock changed hands (through a gap
    /// or not).
    int holderChanges() const { return m_terms > 0 ? int(m_terms) - 1 : 0; }
    /// The holder now as shown (escaped), or "" while it is free or unknown.
    QString holderShown() const;
    /// Why the key cannot be shown as a lock now (or Redis cannot be read), or "".
    const QString& problem() const { return m_problem; }

private:
    struct Lane {
        QString identity;  ///< escaped, short enough for a label
        quint64 fence = 0; ///< its last term's number
        LabTime lastSeen{};
        Duration ttl{}; ///< the longest PTTL seen in its last term
    };

    int laneOf(const std::string& holder);
    void end(LabTime at, const QString& why, QVector<LabEvent>& out);
    void begin(const LockRead& read, QVector<LabEvent>& out);
    void extend(const LockRead& read, QVector<LabEvent>& out);
    void setProblem(const QString& problem, LabTime at, QVector<LabEvent>& out);
    LabEvent event(LabEvent::Source source, const QString& name, LabTime at, int lane) const;

    QString m_key;
    std::vector<Lane> m_lanes;
    std::map<std::string, int> m_byHolder;
    std::optional<int> m_current; ///< the holder's lane while held
    std::string m_holder;         ///< raw
    std::optional<LabTime> m_expiresAt;
    Duration m_termTtl{}; ///< the longest PTTL seen in this term (the ring's full length)
    quint64 m_terms = 0;
    LabTime m_lastAt{};
    bool m_answered = false; ///< the last read was answered
    bool m_anyRead = false;
    bool m_firstRead = false; ///< the read being taken is the first answered one
    QString m_problem;
};

} // namespace baton::lab
