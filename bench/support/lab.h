#pragma once
// What the lab's benchmarks share: time passing on the lab's event loop (never a sleep of the
// GUI thread), who leads, and the process's memory as the kernel counts it.

#include "main_window.h"
#include "support/agents.h" // waitUntil

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <functional>

namespace baton::bench {

/// Runs the event loop for `ms` milliseconds (the lab keeps running meanwhile).
void runFor(int ms);
/// The elector that believes it leads, or -1.
int leaderOf(const lab::ClusterSnapshot& s);
/// A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
double procStatusKiB(const char* field);

} // namespace baton::bench
