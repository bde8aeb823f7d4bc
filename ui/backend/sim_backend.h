#pragma once
// The lab's simulated cluster: a baton::Simulator paced to the wall clock (slow motion to fast
// forward, pause, step), turned into snapshots and lab events. Lives on the backend thread.

#include "backend/backend.h"

#include <baton/sim/pacer.h>
#include <baton/sim/simulator.h>

#include <QTimer>

#include <deque>
#include <memory>
#include <mutex>

namespace baton::lab {

class SimBackend : public Backend {
    Q_OBJECT
public:
    /// Plays `scenario` (its faults included); its duration bounds the run.
    explicit SimBackend(Scenario scenario, QObject* parent = nullptr);
    ~SimBackend() override;

    /// The lab's default: `electors` electors on ttl 5 s, refresh 1 s, retry 1 s, for a year;
    /// the last `pollingOnlyElectors` of them poll as the seed did.
    static Scenario defaultScenario(int electors = 5, int pollingOnlyElectors = 0);
    /// Slowest and fastest speeds (simulated seconds per wall second).
    static constexpr double kMinSpeed = 0.1;
    static constexpr double kMaxSpeed = 100.0;

    void begin() override;
    void act(const baton::lab::Action& action) override;
    void setSpeed(double speed) override;
    void setTimePaused(bool paused) override;
    void stepToNextEvent() override;

    /// The scenario as played so far: the one given plus each fault the operator injected, at
    /// the time it struck (to save a run and replay it with baton-sim). Thread-safe.
    Scenario recordedScenario() const;

private:
    void tick();
    void harvest();
    void publish();
    LabTime labTime(TimePoint v) const { return v - m_sim->start(); }
    QString identityOf(int elector) const {
        return elector < 0 ? QString() : m_identities[elector];
    }
    void inject(const Fault& f, Action::Kind kind);
    void recordFault(const Fault& fault);
    void faultEvents();
    void storeEvents();
    ClusterSnapshot snapshot();

    Scenario m_scenario;
    std::unique_ptr<Simulator> m_sim;
    Pacer m_pacer;
    QTimer* m_timer; // a child, so it moves to the backend's thread with it
    double m_speed = 1.0;
    bool m_timePaused = false;

    // What has been turned into lab events so far.
    std::size_t m_faultsSeen = 0;
    struct OpenFault {
        std::size_t record;
        TimePoint until; // the end it was struck with (max: none planned)
    };
    std::vector<OpenFault> m_openFaults;
    int m_holder = -1;
    std::uint64_t m_holderFence = 0;
    TimePoint m_holderExpires{};
    bool m_storeKeptHandled = false; // the store view discardRecords() kept is already handled
    QVector<LabEvent> m_pending;
    QVector<QString> m_identities;       // fixed for the run: converted once
    std::vector<std::uint64_t> m_fences; // each elector's newest fence (a crash forgets its own)

    // Store calls over the last few virtual seconds, for the rate.
    std::deque<std::pair<TimePoint, std::uint64_t>> m_calls;

    mutable std::mutex m_recordMutex;
    Scenario m_recorded;
    Duration m_playedFor{};
};

} // namespace baton::lab
