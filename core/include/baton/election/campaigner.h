#pragma once
// The shared runtime: one Campaigner runs any number of elections in a process on one scheduler
// thread (a timer heap over every election's wake time) and one I/O thread that makes their
// store calls, many at once when the store can batch them (Batch: pipelined on Redis).

#include "baton/election/config.h"
#include "baton/election/election_machine.h"
#include "baton/store/locker.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace baton {

class Campaign;

/// Runs elections (Campaigns) on a Locker. Per election the guarantees are Election's: its
/// callbacks alternate strictly, never run concurrently (they all run on the scheduler thread,
/// one at a time, never under a lock, so they must be quick), a leader's onRevoked returns
/// before its release is sent, and isLeader() is lock-free and turns false at the deadline
/// even while the store hangs: the scheduler never waits for I/O.
class Campaigner {
public:
    /// One store call of one election.
    struct Job {
        std::string identity;
        Command command;
    };
    /// Makes `jobs` and answers each, in order (never throws: an error is a result). The
    /// default makes them one after the other with execute().
    using Batch = std::function<std::vector<CallResult>(const std::vector<Job>&)>;
    /// The most calls handed to one Batch.
    static constexpr std::size_t kMaxBatch = 256;

    /// `locker` (and `clock`) must outlive the Campaigner.
    explicit Campaigner(Locker& locker, const Clock& clock = SteadyClock::instance(),
                        Batch batch = {});
    /// Stops every campaign still running (as Campaign::stop) and the threads.
    ~Campaigner();
    Campaigner(const Campaigner&) = delete;
    Campaigner& operator=(const Campaigner&) = delete;

    /// A new election on this runtime (validates `config`: throws ConfigError); not started.
    std::unique_ptr<Campaign> add(Config config);

    /// Stops every running campaign at once (each as Campaign::stop: revoke, then release, the
    /// releases pipelined) and returns when all have stopped. Not from a callback.
    void stopAll();

    /// True when no input waits, no call is in flight and every election waits for time or a
    /// notice (for tests that step a ManualClock).
    bool idle() const;
    /// The earliest wake of any election (TimePoint::max when none waits for time).
    TimePoint nextWake() const;
    /// Store calls made so far, and batches they went in (for benchmarks).
    std::uint64_t calls() const { return m_calls.load(); }
    std::uint64_t batches() const { return m_batches.load(); }

private:
    friend class Campaign;
    struct Slot;

    void schedule();
    void ioLoop();
    // Runs one slot's machine; returns what to deliver and send once unlocked.
    void step(Slot& slot, TimePoint now, std::vector<std::pair<Slot*, std::vector<Event>>>& out,
              std::vector<std::pair<Slot*, Command>>& calls);
    void makeReady(Slot& slot);
    void arm(Slot& slot);
    void startSlot(Slot& slot);
    void stopSlot(Slot& slot);
    void removeSlot(Slot& slot);
    bool onScheduler() const { return std::this_thread::get_id() == m_schedulerId.load(); }

    Locker& m_locker;
    const Clock& m_clock;
    Batch m_batch;

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;     // the scheduler waits here
    std::condition_variable m_ioCv;   // the I/O thread waits here
    std::condition_variable m_doneCv; // stop() waits here for a run to end
    std::map<std::uint64_t, std::unique_ptr<Slot>> m_slots;
    std::uint64_t m_nextId = 1;
    std::deque<std::uint64_t> m_ready;                 // slot ids with an input or a due timer
    using Timer = std::pair<TimePoint, std::uint64_t>; // wake time, slot id
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> m_timers;
    std::deque<std::pair<std::uint64_t, Job>> m_jobs; // slot id, call
    std::size_t m_inflight = 0;
    bool m_busy = false; // the scheduler is delivering or stepping
    bool m_quit = false;
    std::atomic<std::uint64_t> m_calls{0}, m_batches{0};
    std::atomic<std::thread::id> m_schedulerId{};
    std::uint64_t m_clockListener = 0;
    std::thread m_scheduler;
    std::thread m_io;
};

/// One election on a Campaigner: Election's API for one resource.
class Campaign {
public:
    ~Campaign();
    Campaign(const Campaign&) = delete;
    Campaign& operator=(const Campaign&) = delete;

    /// Starts campaigning. Does nothing while running.
    void start();
    /// Graceful stop: stops leading (isLeader() false, onRevoked returns), releases the lock,
    /// then returns. From inside a callback it asks and returns at once.
    void stop();
    bool isLeader() const noexcept;
    std::uint64_t fence() const noexcept;
    TimePoint deadline() const;
    std::string leader() const;
    bool running() const;
    const std::string& identity() const;
    const std::string& resource() const;
    void setTiming(const Timing& timing);
    Timing timing() const;
    /// How long after a release notice a follower tries (default 0: at once), for notices of
    /// a release by one of `from` (null: by anyone). A sharded agent at its fair share waits a
    /// little for releases by members over their share while another member is below it, so
    /// that a shard handed over goes to that member rather than to whoever answers first (which
    /// would hand it over again); if nobody takes it, it takes it after the wait. Retries and
    /// the holder's expiry are not delayed; a notice already heard keeps its time. Any thread,
    /// callbacks too.
    void setNoticeDelay(Duration delay,
                        std::shared_ptr<const std::vector<std::string>> from = nullptr);
    Duration noticeDelay() const;

private:
    friend class Campaigner;
    Campaign(Campaigner& owner, Campaigner::Slot& slot)
        : m_owner(owner)
        , m_slot(slot) {}
    Campaigner& m_owner;
    Campaigner::Slot& m_slot;
};

} // namespace baton
