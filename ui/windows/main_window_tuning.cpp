// The main window's way into the Tuning window: Tools > Tune timings... and the inspector's
// "Tune these timings...", both prefilled with the running cluster.

#include "inspector/inspector.h"
#include "tuning/tuning_window.h"
#include "windows/main_window.h"

#include <QAction>

namespace baton::lab {

void MainWindow::createTuningActions() {
    connect(addAction(QStringLiteral("tuneTimings"), tr("&Tune timings..."),
                      QKeySequence(tr("Ctrl+T")),
                      tr("Sweep ttl, refresh and retry against a failure profile and apply the "
                         "best")),
            &QAction::triggered, this, &MainWindow::openTuning);
}

TuningWindow* MainWindow::openTuning() {
    if (!m_tuning)
        m_tuning = new TuningWindow(m_controller, this);
    m_tuning->prefillFromCluster(m_inspector->electorId()); // the selected one's timings
    m_tuning->show();
    m_tuning->raise();
    m_tuning->activateWindow();
    return m_tuning;
}

} // namespace baton::lab
