#include "backend/action.h"

#include "backend/lab_types.h"

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
    static constexpr std::array<std::string_view, kActionKinds - kFaultKinds> kVerbs = {
        "kill leader", "add thread elector", "add agent", "remove", "resign leader"};
    static_assert(std::size_t(Action::Kind::KillLeader) == kFaultKinds &&
                  std::size_t(Action::Kind::ResignLeader) + 1 == kActionKinds);
    return qstr(kVerbs.at(std::size_t(kind) - kFaultKinds));
}

} // namespace baton::lab
