#include "baton/sim/history.h"

#include "baton/base/enum_names.h"

#include <cmath>
#include <sstream>

namespace baton {

namespace {

// Below this many nanoseconds (104 days) a double holds every count exactly, so a clock at rate
// 1 reads exactly the elapsed time and the arithmetic below can be skipped.
constexpr Duration::rep kExact = Duration::rep(1) << 53;

bool exact(Duration d) {
    return d.count() < kExact && d.count() > -kExact;
}

} // namespace

TimePoint ElectorInfo::toLocal(TimePoint virtualTime) const {
    if (clockRate == 1.0 && exact(virtualTime - start))
        return localAtStart + (virtualTime - start);
    const double elapsed = static_cast<double>((virtualTime - start).count());
    // A clock reads whole nanoseconds and never ahead of itself: round down.
    return localAtStart + Duration(static_cast<Duration::rep>(std::floor(elapsed * clockRate)));
}

TimePoint ElectorInfo::toVirtual(TimePoint local) const {
    if (local == TimePoint::max() || local == TimePoint::min())
        return local;
    if (clockRate == 1.0 && exact(local - localAtStart))
        return start + (local - localAtStart);
    const double elapsed = static_cast<double>((local - localAtStart).count()) / clockRate;
    TimePoint v = start + Duration(static_cast<Duration::rep>(std::ceil(elapsed)));
    // Rounding can land a nanosecond off; settle on the first instant that reads `local`.
    while (toLocal(v) < local)
        v += Duration(1);
    while (toLocal(v - Duration(1)) >= local)
        v -= Duration(1);
    return v;
}

namespace {

std::string stamp(const History& h, TimePoint t) {
    if (t == TimePoint::max())
        return "never";
    return std::to_string((t - h.start).count()) + "ns";
}

constexpr EnumNames<WriteRecord::Outcome, 3> kOutcomeNames{{"accepted", "rejected", "corrupted"}};

} // namespace

std::string toText(const History& h) {
    std::ostringstream out;
    out << "seed " << h.seed << " resource " << h.resource << " length "
        << (h.end - h.start).count() << "ns fencing " << h.fencing << '\n';
    for (std::size_t i = 0; i < h.electors.size(); ++i) {
        const ElectorInfo& e = h.electors[i];
        out << "elector " << i << ' ' << e.identity << " rate " << e.clockRate << " local "
            << e.localAtStart.time_since_epoch().count() << " calls "
            << (i < h.storeCalls.size() ? h.storeCalls[i] : 0) << '\n';
    }
    for (const ElectorEvent& e : h.events) {
        out << stamp(h, e.at) << " e" << e.elector << '.' << e.incarnation << ' '
            << eventName(e.event.type) << " fence " << e.event.fence;
        if (e.event.type == EventType::Elected || e.event.type == EventType::Extended)
            out << " deadline " << e.event.deadline.time_since_epoch().count();
        if (e.event.type == EventType::Revoked)
            out << " reason " << reasonName(e.event.reason);
        if (e.event.type == EventType::LeaderChanged)
            out << " leader " << (e.event.leader.empty() ? "-" : e.event.leader);
        if (!e.event.message.empty())
            out << " message " << e.event.message;
        out << '\n';
    }
    for (const FaultRecord& f : h.faults)
        out << stamp(h, f.at) << " fault " << faultName(f.kind) << " e" << f.elector << " until "
            << stamp(h, f.end) << (f.wasLeader ? " leader" : "") << ' ' << f.detail << '\n';
    for (const StoreView& s : h.store)
        out << stamp(h, s.at) << " store e" << s.elector << " fence " << s.fence << " expires "
            << stamp(h, s.expiresAt) << '\n';
    for (const WriteRecord& w : h.writes)
        out << stamp(h, w.at) << " write e" << w.elector << " fence " << w.fence << " decided "
            << stamp(h, w.decidedAt) << " newest " << w.newestSeen << ' '
            << kOutcomeNames.name(w.outcome) << '\n';
    for (const FailoverRecord& f : h.failovers) // none without replication: older texts stay
        out << stamp(h, f.killedAt) << " failover promoted " << stamp(h, f.promotedAt) << " lost "
            << f.lostWrites << (f.lockLost ? " lock-lost" : "") << '\n';
    return out.str();
}

} // namespace baton
