#pragma once
// Test support: real Election runners (real threads) on a ManualClock and one MemoryStore.
// Time moves only when the test says; settle() waits until every runner has handled it.

#include <baton/baton.h>

#include <QTest>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

namespace baton::test {

struct LoggedEvent {
    std::string identity;
    Event event;
};

class Cluster {
public:
    ManualClock clock;
    MemoryStore store{clock};
    Locker locker{store};

    static Config config(const std::string& identity, Duration ttl = std::chrono::seconds(3),
                         Duration refresh = std::chrono::seconds(1),
                         Duration retry = std::chrono::seconds(1)) {
        Config c;
        c.resource = "job-scheduler";
        c.identity = identity;
        c.timing = {ttl, refresh, retry};
        return c;
    }

    /// Adds an elector; its events go to the shared log (after any onEvent of its own).
    Election& add(Config c) {
        const std::string id = c.identity;
        auto own = std::move(c.onEvent);
        c.onEvent = [this, id, own](const Event& e) {
            if (own)
                own(e);
            std::lock_guard guard(m_logMutex);
            m_log.push_back({id, e});
        };
        m_electors.push_back(std::make_unique<Election>(locker, std::move(c), clock));
        return *m_electors.back();
    }
    Election& add(const std::string& identity) { return add(config(identity)); }

    std::vector<std::unique_ptr<Election>>& electors() { return m_electors; }
    Election& at(std::size_t i) { return *m_electors.at(i); }

    /// Waits (in real time, for the runner threads) until every elector is idle.
    [[nodiscard]] bool settle() {
        return QTest::qWaitFor(
            [this] {
                return std::all_of(m_electors.begin(), m_electors.end(),
                                   [](const auto& e) { return e->idle(); });
            },
            10000);
    }

    /// Moves the clock to `t`, stopping at every elector's wake-up on the way and settling.
    [[nodiscard]] bool advanceTo(TimePoint t) {
        if (!settle())
            return false;
        while (clock.now() < t) {
            TimePoint next = t;
            for (const auto& e : m_electors) {
                const TimePoint w = e->nextWake();
                if (w > clock.now() && w < next)
                    next = w;
            }
            clock.advanceTo(next);
            if (!settle())
                return false;
        }
        return true;
    }
    [[nodiscard]] bool advance(Duration d) { return advanceTo(clock.now() + d); }

    std::vector<LoggedEvent> log() const {
        std::lock_guard guard(m_logMutex);
        return m_log;
    }
    /// Events of one type, oldest first; from `from` on when given.
    std::vector<LoggedEvent> events(EventType type, TimePoint from = TimePoint::min()) const {
        std::vector<LoggedEvent> out;
        for (const auto& e : log())
            if (e.event.type == type && e.event.at >= from)
                out.push_back(e);
        return out;
    }
    /// The electors whose isLeader() is true now.
    std::vector<std::string> leaders() const {
        std::vector<std::string> out;
        for (const auto& e : m_electors)
            if (e->isLeader())
                out.push_back(e->identity());
        return out;
    }

private:
    mutable std::mutex m_logMutex;
    std::vector<LoggedEvent> m_log;
    std::vector<std::unique_ptr<Election>> m_electors;
};

} // namespace baton::test
