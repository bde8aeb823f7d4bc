#pragma once
// Test support for suites that drive the lab's window: kill whoever leads, and the log's rows
// about the handover that follows.

#include "support/lab_events.h"

#include "log/event_log_model.h"
#include "windows/main_window.h"

#include <QAction>
#include <QTest>

namespace baton::test {

using lab_events::leaderOf;
using lab_events::otherLeader;

/// The lab's options with simulated time at `speed` (tests wait less).
inline lab::MainWindow::Options fast(double speed = 20) {
    lab::MainWindow::Options o;
    o.speed = speed;
    return o;
}

/// Shows `w`, waits up to `ms` for somebody to lead, then presses "Kill leader": the id of the
/// one killed, or -1 when nobody led in time.
inline int killTheLeader(lab::MainWindow& w, int ms = 5000) {
    w.show();
    const auto leader = [&] { return lab_events::leaderOf(w.controller().snapshot()); };
    if (!QTest::qWaitFor([&] { return leader() >= 0; }, ms))
        return -1;
    const int first = leader();
    w.action(QStringLiteral("killLeader"))->trigger();
    return first;
}

/// What the log says about a killed leader's handover: rows of its crash and its revocation,
/// and of its successor's election.
struct HandoverRows {
    int crash = 0;
    int revoked = 0;
    int elected = 0;
    bool operator==(const HandoverRows&) const = default;
};

inline HandoverRows handoverRows(const lab::MainWindow& w, int killed, int successor) {
    const QVector<lab::LabEvent> events = w.eventLog()->events();
    return {lab_events::countEvents(events, QStringLiteral("crash"), killed),
            lab_events::countEvents(events, QStringLiteral("revoked"), killed),
            lab_events::countEvents(events, QStringLiteral("elected"), successor)};
}

inline char* toString(const HandoverRows& r) {
    return QTest::toString(QStringLiteral("crash %1, revoked %2, elected %3")
                               .arg(r.crash)
                               .arg(r.revoked)
                               .arg(r.elected));
}

} // namespace baton::test
