#pragma once
// A read-only tab on another library's lock: its key polled (GET or HGETALL, and PTTL, one
// script) on a worker thread, paced, and what each read shows turned into the lab's events and
// snapshots by a ForeignLockTracker. Nothing is ever written; every action is refused.

#include "backend/backend.h"

#include <QString>

#include <chrono>
#include <memory>

namespace baton::lab {

class ForeignLockBackend : public Backend {
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kPollInterval{100};
    static constexpr std::chrono::milliseconds kSnapshotInterval{50};
    /// After a read that Redis did not answer, the next one waits this long.
    static constexpr std::chrono::milliseconds kRetryInterval{1000};

    /// Watches the lock at `key` on `url` (its password is used, never shown).
    ForeignLockBackend(QString url, QString key, QObject* parent = nullptr);
    ~ForeignLockBackend() override;

    /// Why every action is refused (the menus' and the inspector's tooltip).
    static QString readOnlyReason();

    void begin() override;
    void act(const baton::lab::Action& action) override;
    void shutdown() override;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace baton::lab
