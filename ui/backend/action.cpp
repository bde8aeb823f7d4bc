#include "backend/action.h"

#include "backend/lab_types.h"
#include "common/enum_names.h"

namespace baton::lab {

using namespace Qt::StringLiterals;

QString actionName(Action::Kind kind) {
    if (kind == Action::Kind::Crash)
        return u"kill"_s;
    if (kind == Action::Kind::Timing)
        return u"set timing"_s;
    if (const std::optional<FaultKind> fault = faultOf(kind))
        return qstr(faultName(*fault));
    // The lab's own verbs, in Kind's order after the faults.
    static const std::array<QString, kActionKinds - kFaultKinds> verbs = {
        u"kill leader"_s, u"add thread elector"_s, u"add agent"_s, u"remove"_s};
    static_assert(std::size_t(Action::Kind::KillLeader) == kFaultKinds &&
                  std::size_t(Action::Kind::Remove) + 1 == kActionKinds);
    return nameIn(verbs, static_cast<int>(kind) - kFaultKinds);
}

} // namespace baton::lab
