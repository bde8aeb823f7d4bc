#pragma once
// Failover figures of a lab run: how long leadership took to come back after each fault that hit
// the leader (per cause), time without a leader, overlapping leadership and store load. Fed the
// same events and snapshots as LeadershipHistory; terms and the failover rule come from the core
// (baton/sim/terms.h).

#include "backend/lab_types.h"
#include "common/lab_feed.h"
#include "timeline/leadership_terms.h"

#include <QHash>

#include <array>
#include <deque>
#include <optional>

namespace baton::lab {

/// What started a failover: a fault that hit the leader, or a revocation nobody caused ("other").
enum class FailoverCause : quint8 { Crash, Pause, Partition, Stop, Other };
inline constexpr int failoverCauseCount = 5;

/// "crash", "pause", "partition", "stop", "other".
QString causeName(FailoverCause cause);

/// Figures over the kept latencies of one cause (or all). All zero when there are none.
struct LatencySummary {
    qsizetype count = 0; ///< failovers measured since the start (or clear())
    qsizetype kept = 0;  ///< latencies the median and p99 are computed from (the last ones)
    Duration last{};
    Duration median{};
    Duration p99{};
    Duration max{}; ///< the longest kept
};

class FailoverStats : public LabFeed {
    Q_OBJECT
public:
    static constexpr qsizetype defaultLatencyCap = 1000;

    using LabFeed::LabFeed;

    void setSnapshot(const ClusterSnapshot& snapshot) override;
    void clear() override;

    /// How many latencies are kept per cause (and overall); the oldest go.
    void setLatencyCap(qsizetype cap);
    qsizetype latencyCap() const { return m_cap; }

    LatencySummary summary(FailoverCause cause) const;
    LatencySummary overall() const;
    /// The kept latencies of `cause`, oldest first.
    QVector<Duration> latencies(FailoverCause cause) const;

    /// A failover has started and nobody has been elected since.
    bool failoverInProgress() const { return m_failovers.pending().has_value(); }
    LabTime failoverSince() const;
    FailoverCause failoverCause() const;

    /// Time since the first election during which no elector believed it led (up to now).
    Duration timeWithoutLeader() const;
    /// Spans during which two or more electors believed they led, and their total length.
    qsizetype overlapCount() const { return m_overlapCount; }
    Duration overlapTotal() const;
    /// Elections whose fence was not above every earlier term's (the checker's fence order),
    /// and what the first of them was; "" while there is none.
    qsizetype fenceOrderViolations() const { return m_fenceViolations; }
    const QString& firstFenceViolation() const { return m_firstFenceViolation; }
    /// The latest snapshot's store operations per second of lab time.
    double storeOpsPerSecond() const { return m_storeOps; }

    LabTime now() const { return m_now; }
    /// Grows whenever the latencies change (views redraw their plot only then).
    quint64 revision() const { return m_revision; }

private:
    struct Ring {
        std::deque<Duration> values;
        qsizetype count = 0;
    };

    void handle(const LabEvent& event) override;
    void onTermChange(const TermChange& change);
    void checkFence(const TermChange& began);
    void record(FailoverCause cause, Duration latency);
    static LatencySummary summarize(const Ring& ring);

    TermTracker m_tracker;
    baton::FailoverTracker m_failovers{baton::FailoverPolicy::live()};
    std::array<Ring, failoverCauseCount> m_byCause;
    Ring m_all;
    qsizetype m_cap = defaultLatencyCap;

    std::optional<LabTime> m_leaderlessSince;
    Duration m_leaderlessTotal{};
    std::optional<LabTime> m_overlapSince;
    Duration m_overlapTotal{};
    qsizetype m_overlapCount = 0;
    std::optional<quint64> m_highestFence;
    qsizetype m_fenceViolations = 0;
    QString m_firstFenceViolation;
    QHash<int, QString> m_names; ///< identities by elector id, for that description

    double m_storeOps = 0;
    LabTime m_now{};
    quint64 m_revision = 0;
};

} // namespace baton::lab
