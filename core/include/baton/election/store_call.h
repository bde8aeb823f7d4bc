#pragma once
// The one path of a store call: the machine asks for a Command, a driver (the real-time runner
// or the simulator) hands it to execute() and feeds the CallResult back to the machine.

#include "baton/store/locker.h"

#include <optional>
#include <string>

namespace baton {

/// A store call the machine wants made now. At most one is in flight at a time.
struct Command {
    enum class Kind { Acquire, Extend, Release };
    Kind kind = Kind::Acquire;
    Duration ttl{}; ///< Acquire, Extend
    Lease lease;    ///< Extend, Release; Acquire: the resource and the token to acquire with
};

/// What became of a Command: its answer, or the error that ended it.
struct CallResult {
    Command::Kind kind = Command::Kind::Acquire;
    std::optional<LockAttempt> attempt; ///< Acquire: taken, or who holds it
    bool held = false;                  ///< Extend, Release: the lease was still held
    std::optional<std::string> error;   ///< the call failed (then nothing else is set)

    static CallResult acquired(LockAttempt attempt) {
        CallResult r;
        r.attempt = std::move(attempt);
        return r;
    }
    static CallResult extended(bool held) { return answered(Command::Kind::Extend, held); }
    static CallResult released(bool held) { return answered(Command::Kind::Release, held); }
    static CallResult answered(Command::Kind kind, bool held) {
        CallResult r;
        r.kind = kind;
        r.held = held;
        return r;
    }
    static CallResult failure(Command::Kind kind, std::string error) {
        CallResult r;
        r.kind = kind;
        r.error = std::move(error);
        return r;
    }
};

/// Makes `command` on `locker` for `identity`. Never throws: an error becomes the result.
CallResult execute(Locker& locker, const std::string& identity, const Command& command) noexcept;

} // namespace baton
