#include "baton/election/store_call.h"

namespace baton {

CallResult execute(Locker& locker, const std::string& identity, const Command& command) noexcept {
    CallResult result;
    result.kind = command.kind;
    try {
        switch (command.kind) {
        case Command::Kind::Acquire:
            result.attempt =
                locker.tryLock(command.lease.resource, identity, command.ttl, command.lease.token);
            break;
        case Command::Kind::Extend:
            result.held = locker.refresh(command.lease, command.ttl);
            break;
        case Command::Kind::Release:
            result.held = locker.unlock(command.lease);
            break;
        }
    } catch (const std::exception& e) {
        return CallResult::failure(command.kind, e.what());
    } catch (...) {
        return CallResult::failure(command.kind, "unknown error");
    }
    return result;
}

} // namespace baton
