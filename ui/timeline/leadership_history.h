#pragma once
// The lab's leadership history over a recent window: per elector its terms, extend ticks and
// faults; the store's holder; and the spans where two electors led at once. The timeline paints
// from it. Fed on the GUI thread; memory is bounded by a retention window and a cap per lane.

#include "backend/lab_types.h"
#include "common/lab_feed.h"
#include "timeline/leadership_terms.h"
#include "timeline/span_series.h"

#include <algorithm>
#include <deque>
#include <map>

namespace baton::lab {

/// One term of one elector. `deadline` is its self-fencing deadline as last extended.
struct TermItem : Span {
    quint64 fence = 0;
    LabTime deadline{};
    TermEnd how = TermEnd::Open;
};

/// A fault in force on an elector (or on all, for the store lane). Instant ones ("timing",
/// "drift") have begin == end.
struct FaultItem : Span {
    QString kind;
    QString detail;
    LabTime until{}; ///< when it was planned to end by itself (zero: not planned)
    bool instant = false;
};

/// Who the store says holds the lock.
struct HolderItem : Span {
    int elector = -1;
    QString identity;
    quint64 fence = 0;
};

/// Two or more electors leading at once.
struct OverlapItem : Span {
    QVector<int> electors;
};

class LeadershipHistory : public LabFeed {
    Q_OBJECT
public:
    static constexpr LabTime defaultRetention = std::chrono::minutes(30);
    static constexpr qsizetype defaultCap = 2000;

    using LabFeed::LabFeed;

    /// Lab time moves to `snapshot.now`; lapsed terms and planned fault ends close; identities
    /// come from it.
    void setSnapshot(const ClusterSnapshot& snapshot) override;
    void clear() override;

    /// Items that ended longer than this before now are dropped.
    void setRetention(LabTime retention);
    LabTime retention() const { return m_retention; }
    /// Each lane keeps at most this many terms, faults, ticks and holders (the oldest go).
    void setCap(qsizetype cap);
    qsizetype cap() const { return m_cap; }

    /// Lab time now (the latest snapshot's or event's).
    LabTime now() const { return m_now; }
    /// The earliest begin still kept (now when nothing is).
    LabTime earliest() const;

    /// Electors with a lane, by id (those in the latest snapshot and those with kept items).
    QVector<int> electors() const;
    /// Its identity ("elector-2"), or "#<id>" when none is known.
    QString identity(int elector) const;

    // Queries for [t0, t1]: binary searches over each lane, open items last until now().
    QVector<TermItem> terms(int elector, LabTime t0, LabTime t1) const;
    QVector<FaultItem> faults(int elector, LabTime t0, LabTime t1) const;
    QVector<LabTime> extendTicks(int elector, LabTime t0, LabTime t1) const;
    /// Faults that hit no single elector (shown on the store lane).
    QVector<FaultItem> clusterFaults(LabTime t0, LabTime t1) const;
    QVector<HolderItem> holders(LabTime t0, LabTime t1) const;
    QVector<OverlapItem> overlaps(LabTime t0, LabTime t1) const;

    // The same, visiting each item in place (no copies: what a paint uses).
    template <typename Fn>
    void forEachTerm(int elector, LabTime t0, LabTime t1, Fn&& fn) const {
        if (const Lane* l = elector >= 0 ? findLane(elector) : nullptr)
            l->terms.forEachWithin(t0, t1, m_now, fn);
    }
    /// A negative `elector`: the faults that hit no single elector.
    template <typename Fn>
    void forEachFault(int elector, LabTime t0, LabTime t1, Fn&& fn) const {
        if (const Lane* l = findLane(elector))
            l->faults.forEachWithin(t0, t1, m_now, fn);
    }
    template <typename Fn>
    void forEachExtendTick(int elector, LabTime t0, LabTime t1, Fn&& fn) const {
        const Lane* l = elector >= 0 ? findLane(elector) : nullptr;
        if (!l || t1 < t0)
            return;
        auto it = std::lower_bound(l->ticks.begin(), l->ticks.end(), t0);
        for (; it != l->ticks.end() && *it <= t1; ++it)
            fn(*it);
    }
    template <typename Fn>
    void forEachHolder(LabTime t0, LabTime t1, Fn&& fn) const {
        m_holders.forEachWithin(t0, t1, m_now, fn);
    }
    template <typename Fn>
    void forEachOverlap(LabTime t0, LabTime t1, Fn&& fn) const {
        m_overlaps.forEachWithin(t0, t1, m_now, fn);
    }

    /// Kept items of a lane (terms + faults + ticks), to check that memory stays bounded.
    qsizetype itemCount(int elector) const;
    /// Kept items of the store lane (holders + cluster faults) and overlaps.
    qsizetype storeItemCount() const;
    qsizetype overlapCount() const { return m_overlaps.size(); }

private:
    struct Lane {
        QString identity;
        SpanSeries<TermItem> terms;
        SpanSeries<FaultItem> faults;
        std::deque<LabTime> ticks;
        std::map<QString, quint64> openFaults; ///< kind -> serial of the open one
        bool inSnapshot = false;
        LabTime lastSeen{}; ///< of its latest event or snapshot
    };
    struct PlannedEnd {
        int elector = -1; ///< -1: a cluster fault
        quint64 serial = 0;
    };

    /// The lane of `elector`; the cluster's for a negative id.
    Lane& lane(int elector);
    const Lane* findLane(int elector) const;
    void handle(const LabEvent& event) override;
    void batchHandled() override { prune(); }
    void onTermChange(const TermChange& change);
    void handleFault(const LabEvent& event, LabTime at);
    void handleStore(const LabEvent& event, LabTime at);
    void closeFault(int elector, const QString& kind, LabTime at);
    void forgetPlannedEnd(const FaultItem& fault);
    void closePlannedFaults(LabTime now);
    void prune();
    void advanceNow(LabTime t);

    TermTracker m_tracker;
    std::map<int, Lane> m_lanes;
    SpanSeries<HolderItem> m_holders;
    Lane m_cluster; ///< faults that hit no single elector
    SpanSeries<OverlapItem> m_overlaps;
    std::multimap<LabTime, PlannedEnd> m_plannedEnds;
    LabTime m_now{};
    LabTime m_retention = defaultRetention;
    qsizetype m_cap = defaultCap;
};

} // namespace baton::lab
