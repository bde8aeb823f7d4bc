#pragma once
// One tab per open resource (a session of the LabController): the tab shows it in the cluster
// view, timeline and log; closing the tab ends its session. Hidden while nothing is open.

#include <QTabBar>

#include <optional>

namespace baton::lab {

class LabController;

/// The session key of another library's lock at `lockKey`: apart from every Baton resource's
/// (it starts with a control character, which no resource name is given), and back.
QString foreignSessionKey(const QString& lockKey);
std::optional<QString> foreignLockOf(const QString& sessionKey);

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
