#pragma once
// What the lab's benchmarks share: time passing on the lab's event loop (never a sleep of the
// GUI thread), who leads, and the process's memory as the kernel counts it.

#include "support/agents.h" // waitUntil
#include "support/lab_events.h"
#include "windows/main_window.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <functional>
#include <memory>

namespace baton::bench {

/// Runs the event loop for `ms` milliseconds (the lab keeps running meanwhile).
void runFor(int ms);
using lab_events::leaderOf; // the elector that believes it leads, or -1
/// The lab's window on a simulated cluster of `electors` at `speed`, 1600x1000, shown.
std::unique_ptr<lab::MainWindow> openSimulatedLab(int electors, double speed);
/// Makes `timer` kill whoever leads in `w` every `ms` of wall time (started here).
void killLeaderEvery(QTimer& timer, lab::MainWindow& w, int ms);
/// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
double procStatusKiB(const char* field);

} // namespace baton::bench
