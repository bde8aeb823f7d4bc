#include "backend/lab_types.h"

#include <baton/base/enum_names.h>

#include <cmath>

namespace baton::lab {

using namespace Qt::StringLiterals;

QString kindName(ElectorKind kind) {
    static constexpr EnumNames<ElectorKind, 4> kNames{{"simulated", "thread", "agent", "external"}};
    static_assert(kNames.names.size() == std::size_t(ElectorKind::External) + 1);
    return qstr(kNames.name(kind));
}

QString stateName(ElectorState state) {
    static constexpr EnumNames<ElectorState, 6> kNames{
        {"follower", "leader", "paused", "partitioned", "crashed", "stopped"}};
    static_assert(kNames.names.size() == std::size_t(ElectorState::Stopped) + 1);
    return qstr(kNames.name(state));
}

QString eventDetail(const Event& e) {
    switch (e.type) {
    case EventType::Revoked:
        return qstr(reasonName(e.reason));
    case EventType::LeaderChanged:
        return e.leader.empty() ? QStringLiteral("no leader known")
                                : QStringLiteral("leader ") + qstr(e.leader);
    default:
        return qstr(e.message);
    }
}

LabEvent crashRevocation(const LabEvent& crash, quint64 fence) {
    LabEvent revoked;
    revoked.at = crash.at;
    revoked.source = LabEvent::Source::Elector;
    revoked.elector = crash.elector;
    revoked.identity = crash.identity;
    revoked.name = QStringLiteral("revoked");
    revoked.fence = fence;
    revoked.detail = QStringLiteral("crashed: no release, the lock expires by itself");
    return revoked;
}

double niceStep(double raw) {
    if (!(raw > 0))
        return 1;
    const double base = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / base;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * base;
}

QString fenceLabel(quint64 fence) {
    if (fence <= 999'999)
        return QStringLiteral("#%1").arg(fence);
    return QStringLiteral("#\u2026%1").arg(fence % 1'000'000, 6, 10, QLatin1Char('0'));
}

QString formatSeconds(LabTime t) {
    const double s = std::chrono::duration<double>(t).count();
    return QString::number(s, 'f', 3);
}

} // namespace baton::lab
