#pragma once
// One tab per open resource (a session of the LabController): the tab shows it in the cluster
// view, timeline and log; closing the tab ends its session. Hidden while nothing is open.

#include <QTabBar>

namespace baton::lab {

class LabController;

class SessionTabs : public QTabBar {
    Q_OBJECT
public:
    explicit SessionTabs(LabController& controller, QWidget* parent = nullptr);

    /// The resources open, in tab order (for tests).
    QStringList resources() const;

private:
    void sync();

    LabController& m_controller;
    bool m_syncing = false;
};

} // namespace baton::lab
