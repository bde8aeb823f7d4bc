#include "backend/action.h"

#include "backend/lab_types.h"

namespace baton::lab {

QString actionName(Action::Kind kind) {
    switch (kind) {
    case Action::Kind::Crash:
        return QStringLiteral("kill");
    case Action::Kind::Timing:
        return QStringLiteral("set timing");
    case Action::Kind::KillLeader:
        return QStringLiteral("kill leader");
    case Action::Kind::AddThread:
        return QStringLiteral("add thread elector");
    case Action::Kind::AddAgent:
        return QStringLiteral("add agent");
    case Action::Kind::Remove:
        return QStringLiteral("remove");
    default:
        return qstr(faultName(*faultOf(kind)));
    }
}

} // namespace baton::lab
