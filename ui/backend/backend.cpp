#include "backend/backend.h"

namespace baton::lab {

QString actionName(Action::Kind kind) {
    switch (kind) {
    case Action::Kind::Kill:
        return QStringLiteral("kill");
    case Action::Kind::Stop:
        return QStringLiteral("stop");
    case Action::Kind::Start:
        return QStringLiteral("start");
    case Action::Kind::Pause:
        return QStringLiteral("pause");
    case Action::Kind::Resume:
        return QStringLiteral("resume");
    case Action::Kind::Partition:
        return QStringLiteral("partition");
    case Action::Kind::Heal:
        return QStringLiteral("heal");
    case Action::Kind::Latency:
        return QStringLiteral("latency");
    case Action::Kind::Drift:
        return QStringLiteral("drift");
    case Action::Kind::SetTiming:
        return QStringLiteral("set timing");
    case Action::Kind::KillLeader:
        return QStringLiteral("kill leader");
    case Action::Kind::AddThread:
        return QStringLiteral("add thread elector");
    case Action::Kind::AddAgent:
        return QStringLiteral("add agent");
    case Action::Kind::Remove:
        return QStringLiteral("remove");
    }
    return {};
}

} // namespace baton::lab
