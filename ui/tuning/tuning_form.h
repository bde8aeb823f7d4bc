#pragma once
// The Tuning window's inputs: the grid of timings, the failure profile (fields and sliders), a
// replicated store (off by default) and the requirements, prefilled from the running cluster,
// read back as a TuningRequest.

#include "backend/lab_types.h"

#include <baton/sim/tuner.h>

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QSpinBox;

namespace baton::lab {

class TuningForm : public QWidget {
    Q_OBJECT
public:
    explicit TuningForm(QWidget* parent = nullptr);

    /// The cluster's electors, timings and latency, with a grid around its timing: elector
    /// `id`'s (the one selected), or the first's.
    void prefill(const ClusterSnapshot& snapshot, int id = -1);
    /// The request as typed; throws std::invalid_argument naming the field and the rule.
    TuningRequest request() const;
    /// The timing the cluster ran with when prefilled.
    const Timing& clusterTiming() const { return m_clusterTiming; }

private:
    QGroupBox* buildGrid();
    QGroupBox* buildProfile();
    QGroupBox* buildReplication();
    void readReplication(TuningRequest& r) const;
    QGroupBox* buildRequirements();
    QGroupBox* buildRun();
    /// A spin box with a slider beside it, both in `form` under `label`.
    QDoubleSpinBox* addSlider(QFormLayout* form, const QString& label, const QString& name,
                              double max, double value, const QString& suffix, int decimals);
    QDoubleSpinBox* addSpin(QFormLayout* form, const QString& label, const QString& name,
                            double max, double value, const QString& suffix, int decimals);
    QDoubleSpinBox* addRequirement(QFormLayout* form, const QString& label, const QString& name,
                                   double max, double value, const QString& suffix);

    Timing m_clusterTiming;
    QLineEdit* m_ttls = nullptr;
    QLineEdit* m_refreshes = nullptr;
    QComboBox* m_refreshMode = nullptr;
    QLineEdit* m_retries = nullptr;
    QCheckBox* m_polling = nullptr;
    QSpinBox* m_electors = nullptr;
    QDoubleSpinBox* m_latency = nullptr;
    QDoubleSpinBox* m_latencyP99 = nullptr;
    QDoubleSpinBox* m_outage = nullptr;
    QDoubleSpinBox* m_outageRate = nullptr;
    QCheckBox* m_outageHangs = nullptr;
    QDoubleSpinBox* m_pause = nullptr;
    QDoubleSpinBox* m_pauseRate = nullptr;
    QDoubleSpinBox* m_crashRate = nullptr;
    QDoubleSpinBox* m_stopRate = nullptr;
    QDoubleSpinBox* m_drift = nullptr;
    QDoubleSpinBox* m_maxDrift = nullptr;
    QGroupBox* m_replication = nullptr; ///< checkable: off, one store that never fails over
    QDoubleSpinBox* m_lag = nullptr;
    QDoubleSpinBox* m_lagP99 = nullptr;
    QDoubleSpinBox* m_primaryKills = nullptr;
    QDoubleSpinBox* m_detection = nullptr;
    QDoubleSpinBox* m_replicaTimeout = nullptr;
    QComboBox* m_wait = nullptr;
    QDoubleSpinBox* m_needOutage = nullptr;
    QDoubleSpinBox* m_needPause = nullptr;
    QDoubleSpinBox* m_needFailover = nullptr;
    QDoubleSpinBox* m_needFollower = nullptr;
    QDoubleSpinBox* m_needSpurious = nullptr;
    QHash<QDoubleSpinBox*, QCheckBox*> m_ticks; ///< each requirement's box
    QSpinBox* m_seeds = nullptr;
    QDoubleSpinBox* m_hours = nullptr;
};

} // namespace baton::lab
