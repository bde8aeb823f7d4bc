#pragma once
// The inspector dock's content: everything about the selected elector, its timings to edit live
// and the faults to inject into it. It only asks (actionRequested); the backend acts.

#include "backend/backend.h"
#include "backend/lab_types.h"

#include <QHash>
#include <QWidget>

#include <optional>

class QAbstractButton;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace baton::lab {

/// Why the lab cannot do `kind` to `elector` now, as its backend says (ElectorView::unavailable),
/// or an empty string when it can. The inspector and the menus disable their actions with this.
QString actionUnavailableReason(const ElectorView& elector, Action::Kind kind);

/// Shows one elector and offers its actions; with none selected, the cluster's timings, to
/// change for every elector at once. Call setElector() with every snapshot; the timing
/// editors are loaded only when the selection changes (or on Revert), never under the user's
/// fingers. Apply validates the timings with baton::validate() and shows a refusal next to the
/// field it names.
class Inspector : public QWidget {
    Q_OBJECT
public:
    explicit Inspector(QWidget* parent = nullptr);

    /// The selected elector as the latest snapshot has it; nullptr: none (all controls disabled).
    /// `now` (the snapshot's time) lets it show the lease remaining rather than its end.
    void setElector(const ElectorView* elector, std::optional<LabTime> now = std::nullopt);
    /// Every elector as the latest snapshot has it: what the inspector shows and changes when
    /// nothing is selected. Call it before setElector() with each snapshot.
    void setCluster(const QVector<ElectorView>& electors);
    /// The selected elector's id, or -1.
    int electorId() const { return m_elector ? m_elector->id : -1; }

    /// The timings as typed in the editors (milliseconds precision), not yet validated.
    Timing editedTiming() const;

Q_SIGNALS:
    void actionRequested(const baton::lab::Action& action);
    /// "Tune these timings...": the operator wants the Tuning window.
    void tuneRequested();

private:
    void buildUi();
    QLabel* buildTitle();
    QFormLayout* buildInfo();
    QGroupBox* buildTiming();
    QGroupBox* buildFaults();
    QPushButton* addActionButton(const QString& text, const QString& objectName, Action::Kind kind);
    void apply();
    void revert();
    void request(Action::Kind kind);
    void loadTiming(const Timing& timing);
    void clearTimingErrors();
    void showTimingError(const std::string& field, const QString& rule);
    void updateInfo();
    void updateEnabled();
    void updateClusterInfo();
    void setElectorRowsVisible(bool visible);
    /// The timings most electors run (the first one's on a tie); nullopt without electors.
    std::optional<Timing> clusterTiming() const;

    std::optional<ElectorView> m_elector;
    std::optional<LabTime> m_now;
    QVector<ElectorView> m_cluster;
    bool m_clusterTimingLoaded = false; ///< the editors hold the cluster's timings

    QLabel* m_title = nullptr;
    QLabel* m_kind = nullptr;
    QLabel* m_state = nullptr;
    QLabel* m_fence = nullptr;
    QLabel* m_seenLeader = nullptr;
    QLabel* m_lease = nullptr;
    QLabel* m_clockRate = nullptr;
    QLabel* m_latency = nullptr;
    QLabel* m_storeCalls = nullptr;
    QLabel* m_note = nullptr;
    QFormLayout* m_info = nullptr;
    QLabel* m_clusterElectors = nullptr;
    QLabel* m_clusterLeader = nullptr;
    QLabel* m_clusterTimings = nullptr;
    QLabel* m_clusterHint = nullptr;

    QDoubleSpinBox* m_ttl = nullptr;
    QDoubleSpinBox* m_refresh = nullptr;
    QDoubleSpinBox* m_retry = nullptr;
    QLabel* m_ttlError = nullptr;
    QLabel* m_refreshError = nullptr;
    QLabel* m_retryError = nullptr;
    QLabel* m_timingError = nullptr; ///< a refusal that names no field of the editors
    QLabel* m_inEffect = nullptr;
    QGroupBox* m_timingBox = nullptr; ///< hidden where the timings are not known
    QPushButton* m_apply = nullptr;
    QPushButton* m_revert = nullptr;
    QPushButton* m_tune = nullptr;

    QDoubleSpinBox* m_pauseSeconds = nullptr;
    QDoubleSpinBox* m_partitionSeconds = nullptr;
    QSpinBox* m_latencyMs = nullptr;
    QDoubleSpinBox* m_latencySeconds = nullptr;
    QDoubleSpinBox* m_driftRate = nullptr;

    QHash<QAbstractButton*, Action::Kind> m_actionButtons;
    /// The inputs that go with a button (its duration, strength), enabled with it.
    QHash<QAbstractButton*, QList<QWidget*>> m_buttonInputs;
};

} // namespace baton::lab
