#include "backend/foreign_lock_tracker.h"

#include <baton/base/text.h>

#include <QCoreApplication>

#include <algorithm>

namespace baton::lab {

namespace {

// A holder is somebody else's bytes: escaped, and short enough for a lane's label.
constexpr std::size_t kShownHolder = 120;

QString tr(const char* text) {
    return QCoreApplication::translate("baton::lab::ForeignLockTracker", text);
}

QString shown(const std::string& text, std::size_t limit = kShownHolder) {
    return qstr(visible(text, limit));
}

QString ttlText(const std::optional<Duration>& ttl) {
    return ttl ? tr("PTTL %1 s").arg(formatSeconds(*ttl)) : tr("no expiry");
}

} // namespace

ForeignLockTracker::ForeignLockTracker(QString key)
    : m_key(std::move(key)) {}

int ForeignLockTracker::laneOf(const std::string& holder) {
    if (const auto it = m_byHolder.find(holder); it != m_byHolder.end())
        return it->second;
    if (int(m_lanes.size()) >= kMaxLanes)
        return kMaxLanes - 1; // the shared lane
    const int id = int(m_lanes.size());
    Lane lane;
    lane.identity = id == kMaxLanes - 1 ? tr("(later holders)") : shown(holder);
    m_lanes.push_back(lane);
    if (id < kMaxLanes - 1)
        m_byHolder.emplace(holder, id);
    return id;
}

LabEvent ForeignLockTracker::event(LabEvent::Source source, const QString& name, LabTime at,
                                   int lane) const {
    LabEvent e;
    e.at = at;
    e.source = source;
    e.name = name;
    e.elector = lane;
    if (lane >= 0) {
        e.identity = m_lanes[std::size_t(lane)].identity;
        e.fence = m_lanes[std::size_t(lane)].fence;
    }
    return e;
}

QVector<LabEvent> ForeignLockTracker::take(const LockRead& read) {
    QVector<LabEvent> out;
    const LabTime at = std::max(read.at, m_lastAt);
    if (!read.answered) {
        // Nothing is known of the lock meanwhile: its holder's term is not ended on a guess.
        m_answered = false;
        setProblem(tr("cannot read %1: %2").arg(shown(m_key.toStdString()), shown(read.error)), at,
                   out);
        m_lastAt = at;
        return out;
    }
    m_answered = true;
    m_firstRead = !m_anyRead;
    m_anyRead = true;
    const bool held = !read.holder.empty();
    if (!held && !read.error.empty()) {
        // A key of another type, a value too long to be a holder, an empty one: no lock.
        if (m_current) {
            end(at, tr("the key is no lock any more"), out);
            out.push_back(event(LabEvent::Source::Store, QStringLiteral("free"), at, -1));
        }
        setProblem(tr("%1 is not shown as a lock: %2")
                       .arg(shown(m_key.toStdString()), shown(read.error, 300)),
                   at, out);
        m_lastAt = at;
        return out;
    }
    setProblem(held && !read.error.empty() ? shown(read.error, 300) : QString(), at, out);
    if (held && m_current && read.holder == m_holder) {
        extend(LockRead{at, true, read.holder, read.ttl, {}}, out);
    } else {
        if (m_current) {
            const QString why = held ? tr("%1 took it").arg(shown(read.holder)) : QString();
            end(at, why, out);
        }
        if (held)
            begin(LockRead{at, true, read.holder, read.ttl, {}}, out);
        else if (!out.isEmpty() && out.back().name == u"revoked")
            out.push_back(
                event(LabEvent::Source::Store, QStringLiteral("free"), out.back().at, -1));
    }
    m_lastAt = at;
    return out;
}

// The holder's term ends: at its expiry when that passed since the last read (the key expired),
// else now (it was deleted or taken over before its PTTL ran out).
void ForeignLockTracker::end(LabTime at, const QString& why, QVector<LabEvent>& out) {
    const bool expired = m_expiresAt && *m_expiresAt <= at;
    const LabTime when = expired ? std::clamp(*m_expiresAt, m_lastAt, at) : at;
    LabEvent e = event(LabEvent::Source::Elector, QStringLiteral("revoked"), when, *m_current);
    const QString how = expired ? tr("expired (its PTTL ran out)")
                                : tr("released or replaced before its PTTL ran out");
    e.detail = why.isEmpty() ? how : how + QStringLiteral("; ") + why;
    if (*m_current == kMaxLanes - 1)
        e.detail = shown(m_holder) + QStringLiteral(": ") + e.detail;
    out.push_back(e);
    m_lanes[std::size_t(*m_current)].lastSeen = when;
    m_current.reset();
    m_holder.clear();
    m_expiresAt.reset();
    m_termTtl = {};
}

void ForeignLockTracker::begin(const LockRead& read, QVector<LabEvent>& out) {
    const int lane = laneOf(read.holder);
    m_current = lane;
    m_holder = read.holder;
    m_lanes[std::size_t(lane)].fence = ++m_terms;
    m_lanes[std::size_t(lane)].lastSeen = read.at;
    m_lanes[std::size_t(lane)].ttl = read.ttl.value_or(Duration{});
    m_expiresAt = read.ttl ? std::optional(read.at + *read.ttl) : std::nullopt;
    m_termTtl = read.ttl.value_or(Duration{});
    LabEvent holder = event(LabEvent::Source::Store, QStringLiteral("holder"), read.at, lane);
    holder.identity = shown(read.holder);
    out.push_back(holder);
    // No deadline: only a read ends a term (the lock's own expiry is seen, not assumed).
    LabEvent elected = event(LabEvent::Source::Elector, QStringLiteral("elected"), read.at, lane);
    const QString what = m_firstRead ? tr("held it when the watch began") : tr("took the lock");
    elected.detail = what + QStringLiteral(" (") + ttlText(read.ttl) + u')';
    if (lane == kMaxLanes - 1)
        elected.detail = shown(read.holder) + QStringLiteral(": ") + elected.detail;
    out.push_back(elected);
}

void ForeignLockTracker::extend(const LockRead& read, QVector<LabEvent>& out) {
    const int lane = *m_current;
    m_lanes[std::size_t(lane)].lastSeen = read.at;
    if (!read.ttl) {
        m_expiresAt.reset();
        return;
    }
    const LabTime expiry = read.at + *read.ttl;
    const bool extended = !m_expiresAt || expiry > *m_expiresAt + kExtendTolerance;
    if (extended) {
        LabEvent e = event(LabEvent::Source::Elector, QStringLiteral("extended"), read.at, lane);
        e.detail = ttlText(read.ttl);
        out.push_back(e);
    }
    if (extended || expiry < *m_expiresAt)
        m_expiresAt = expiry;
    m_termTtl = std::max(m_termTtl, *read.ttl);
    m_lanes[std::size_t(lane)].ttl = m_termTtl;
}

void ForeignLockTracker::setProblem(const QString& problem, LabTime at, QVector<LabEvent>& out) {
    if (problem == m_problem)
        return;
    LabEvent e = event(LabEvent::Source::Lab, QStringLiteral("error"), at, -1);
    if (problem.isEmpty()) {
        e.name = QStringLiteral("info");
        e.detail = tr("%1 reads as a sound lock again").arg(shown(m_key.toStdString()));
    } else {
        e.detail = problem;
    }
    out.push_back(e);
    m_problem = problem;
}

QString ForeignLockTracker::holderShown() const {
    return m_current ? shown(m_holder) : QString();
}

ClusterSnapshot ForeignLockTracker::snapshot(LabTime now, const QString& readOnly) const {
    ClusterSnapshot s;
    s.now = now;
    s.simulated = false;
    s.resource = m_key;
    s.readOnly = readOnly;
    s.storeStatus = m_problem;
    for (int id = 0; id < int(m_lanes.size()); ++id) {
        const Lane& lane = m_lanes[std::size_t(id)];
        ElectorView v;
        v.id = id;
        v.identity = lane.identity;
        v.kind = ElectorKind::External;
        v.controllable = false;
        v.fence = lane.fence;
        const bool holds = m_current == id;
        v.state = holds ? ElectorState::Leader : ElectorState::Follower;
        v.believesLeader = holds;
        // Only the TTL is known (the longest PTTL seen in its last term); how often it
        // refreshes or retries is the other library's business.
        v.timing = Timing{lane.ttl, Duration{}, Duration{}};
        v.timingKnown = false;
        if (holds && m_expiresAt) {
            v.leaseEnd = *m_expiresAt;
            v.leaseStart = *m_expiresAt - m_termTtl;
        }
        v.note = holds ? tr("holds the lock (another library's: no fencing token, #%1 counts "
                            "the terms seen)")
                             .arg(lane.fence)
                       : tr("held it until %1 s").arg(formatSeconds(lane.lastSeen));
        for (int k = 0; k < kActionKinds; ++k)
            if (actsOnOne(Action::Kind(k)))
                v.unavailable[std::size_t(k)] = readOnly;
        s.electors.push_back(v);
    }
    s.lock.known = m_answered;
    if (m_current) {
        s.lock.holder = *m_current;
        s.lock.holderIdentity = holderShown();
        s.lock.fence = m_terms;
        s.lock.expiresAt = m_expiresAt.value_or(LabTime{});
        s.lock.ttl = m_termTtl;
    }
    return s;
}

} // namespace baton::lab
