#pragma once
// Hand-made lab events and snapshots for the tests of the lab's history and statistics: times in
// seconds of lab time, electors by id, identities "elector-<id>".

#include "backend/lab_types.h"

#include <QTest>

#include <chrono>

namespace QTest {
template <>
inline char* toString(const std::chrono::nanoseconds& d) {
    const QByteArray text =
        QByteArray::number(std::chrono::duration<double>(d).count(), 'f', 6) + QByteArray(" s");
    return qstrdup(text.constData());
}
} // namespace QTest

namespace lab_events {

using baton::lab::ClusterSnapshot;
using baton::lab::ElectorView;
using baton::lab::LabEvent;
using baton::lab::LabTime;

inline LabTime sec(double s) {
    return std::chrono::duration_cast<LabTime>(std::chrono::duration<double>(s));
}

inline QString who(int id) {
    return QStringLiteral("elector-%1").arg(id);
}

inline LabEvent electorEvent(int id, double at, const char* name, quint64 fence = 0,
                             double deadline = 0) {
    LabEvent e;
    e.at = sec(at);
    e.source = LabEvent::Source::Elector;
    e.elector = id;
    e.identity = who(id);
    e.name = QString::fromLatin1(name);
    e.fence = fence;
    e.deadline = sec(deadline);
    return e;
}

inline LabEvent elected(int id, double at, quint64 fence, double deadline) {
    return electorEvent(id, at, "elected", fence, deadline);
}

inline LabEvent extended(int id, double at, quint64 fence, double deadline) {
    return electorEvent(id, at, "extended", fence, deadline);
}

inline LabEvent revoked(int id, double at, quint64 fence = 0) {
    LabEvent e = electorEvent(id, at, "revoked", fence);
    e.detail = QStringLiteral("lost");
    return e;
}

inline LabEvent stopped(int id, double at) {
    return electorEvent(id, at, "stopped");
}

inline LabEvent fault(int id, double at, const char* name, double until = 0,
                      bool wasLeader = false) {
    LabEvent e;
    e.at = sec(at);
    e.source = LabEvent::Source::Fault;
    e.elector = id;
    e.identity = id >= 0 ? who(id) : QString();
    e.name = QString::fromLatin1(name);
    e.until = sec(until);
    e.wasLeader = wasLeader;
    return e;
}

inline LabEvent holder(int id, double at, quint64 fence) {
    LabEvent e;
    e.at = sec(at);
    e.source = LabEvent::Source::Store;
    e.elector = id;
    e.identity = who(id);
    e.name = QStringLiteral("holder");
    e.fence = fence;
    return e;
}

inline LabEvent freed(double at) {
    LabEvent e;
    e.at = sec(at);
    e.source = LabEvent::Source::Store;
    e.name = QStringLiteral("free");
    return e;
}

/// `n` electors, none leading, at `now`.
inline ClusterSnapshot snapshot(double now, int n = 3) {
    ClusterSnapshot s;
    s.now = sec(now);
    for (int i = 0; i < n; ++i) {
        ElectorView v;
        v.id = i;
        v.identity = who(i);
        s.electors.append(v);
    }
    return s;
}

/// The id of the elector that believes it leads (and, with `inLeaderState`, is in state Leader:
/// not paused or cut off while it still believes), or -1; the first if several do.
inline int leaderOf(const ClusterSnapshot& s, bool inLeaderState = false) {
    for (const ElectorView& e : s.electors)
        if (e.believesLeader && (!inLeaderState || e.state == baton::lab::ElectorState::Leader))
            return e.id;
    return -1;
}

/// Somebody other than `old` leads.
inline bool otherLeader(const ClusterSnapshot& s, int old, bool inLeaderState = false) {
    const int now = leaderOf(s, inLeaderState);
    return now >= 0 && now != old;
}

/// How many of `events` are named `name` and concern elector `elector`.
inline int countEvents(const QVector<LabEvent>& events, const QString& name, int elector) {
    int n = 0;
    for (const LabEvent& e : events)
        n += e.name == name && e.elector == elector;
    return n;
}

} // namespace lab_events
