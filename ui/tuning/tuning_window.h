#pragma once
// The lab's Tuning window: a failure profile and a grid of timings in, a sweep on the simulator
// in the background, the trade-offs out (a heat map, the Pareto front, a scatter, histograms),
// and the chosen timing applied to the running cluster or compared with the current one.

#include "tuning/tuning_figures.h"

#include <QWidget>

#include <vector>

#include <memory>

class QChartView;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace baton::lab {

class CompareStrip;
class LabController;
struct StripRun;
class TuningForm;
class TuningHeatMap;
class TuningPointsTable;
class TuningSweep;

class TuningWindow : public QWidget {
    Q_OBJECT
public:
    explicit TuningWindow(LabController& controller, QWidget* parent = nullptr);
    ~TuningWindow() override;

    /// Fills the form from the running cluster (its electors, and elector `id`'s timings and
    /// latency, or the first's).
    void prefillFromCluster(int id = -1);
    /// Starts the sweep of the form's request; false (with the reason shown) when it is bad.
    bool runSweep();
    void cancelSweep();
    /// Sets the chosen point's timings on every elector the lab can control.
    void applyChosen();
    /// Simulates the cluster's timing and the chosen one under the same faults.
    void compare();

    std::shared_ptr<const TuningResult> result() const { return m_result; }
    /// The point Apply and Compare use: the one clicked, else the recommendation.
    std::optional<std::size_t> chosen() const;
    void choose(std::size_t point);
    TuningHeatMap* heatMap() const { return m_heatMap; }
    TuningPointsTable* pointsTable() const { return m_pointsTable; }
    QString verdictText() const;
    bool exportData(const QString& path, QString* error) const;  ///< .csv or .json
    bool exportPlots(const QString& path, QString* error) const; ///< .png or .svg

private:
    void buildUi();
    QWidget* buildResults();
    QWidget* buildCompare();
    QLayout* buildButtons();
    void onFinished(std::shared_ptr<const TuningResult> result, const QString& error);
    void onCompared(std::shared_ptr<const TuningResult> result, const QString& error);
    void showPoint(std::size_t point);
    void updateButtons();
    void askExportData();
    void askExportPlots();

    LabController& m_controller;
    TuningForm* m_form = nullptr;
    TuningSweep* m_sweep = nullptr;
    TuningSweep* m_compare = nullptr;
    std::shared_ptr<const TuningResult> m_result;
    std::optional<std::size_t> m_picked;
    TuningHeatMap* m_heatMap = nullptr;
    QComboBox* m_figure = nullptr;
    QComboBox* m_variant = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_apply = nullptr;
    QPushButton* m_compareButton = nullptr;
    QPushButton* m_exportData = nullptr;
    QPushButton* m_exportPlots = nullptr;
    QTabWidget* m_tabs = nullptr;
    QChartView* m_scatter = nullptr;
    QChartView* m_failoverHistogram = nullptr;
    QChartView* m_handoverHistogram = nullptr;
    QLabel* m_pointText = nullptr;
    TuningPointsTable* m_pointsTable = nullptr;
    QTableWidget* m_compareTable = nullptr;
    CompareStrip* m_strip = nullptr;
    /// Filled by the Compare job on its thread, read when it has finished.
    std::shared_ptr<std::vector<StripRun>> m_stripRuns;
};

} // namespace baton::lab
