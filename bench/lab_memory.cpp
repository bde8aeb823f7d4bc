// Lab memory: peak RSS of the lab with 100 simulated electors at 100x after one virtual hour
// and after ten (the leader killed every 5 virtual minutes, so every view keeps getting new
// items). Bounded memory means the second within 10% of the first.

#include "support/bench.h"
#include "support/lab.h"

#include <QAction>
#include <QApplication>

#include <chrono>

using namespace baton::bench;
using namespace std::chrono_literals;
using baton::lab::MainWindow;

int main(int argc, char** argv) {
    return run<QApplication>(argc, argv, QStringLiteral("lab-memory"), [](Report& report) {
        const auto lab = openSimulatedLab(100, 100);
        MainWindow& w = *lab;
        const double hours = report.quick() ? 0.02 : 1.0;
        const auto virtualHours = [&] {
            return std::chrono::duration<double>(w.controller().snapshot().now).count() / 3600;
        };
        // A kill every 3 s of wall time: 5 virtual minutes at 100x.
        QTimer kill;
        killLeaderEvery(kill, w, 3000);
        QElapsedTimer wall;
        wall.start();
        const int slack = int(hours * 3600 * 1000 / 100 * 3); // a third of real speed at least
        if (!waitUntil([&] { return virtualHours() >= hours; }, slack))
            throw Failure("the simulation fell below a third of 100x");
        const double first = procStatusKiB("VmHWM") / 1024;
        const double firstWall = double(wall.elapsed()) / 1000;
        if (!waitUntil([&] { return virtualHours() >= 10 * hours; }, 10 * slack))
            throw Failure("the simulation fell below a third of 100x");
        const double second = procStatusKiB("VmHWM") / 1024;
        Figure& one =
            report.add(QStringLiteral("peak RSS"), QStringLiteral("after %1 virtual h").arg(hours),
                       QStringLiteral("MiB"), Better::Lower, {first});
        report
            .add(QStringLiteral("peak RSS"), QStringLiteral("after %1 virtual h").arg(10 * hours),
                 QStringLiteral("MiB"), Better::Lower, {second})
            .target(Target::Stat::Median, true, first * 1.1)
            .note(QStringLiteral("target: within 10% of the first"))
            .comparedTo(one);
        report.detail(QStringLiteral("wallSecondsToFirst"), firstWall);
        report.detail(QStringLiteral("wallSecondsInAll"), double(wall.elapsed()) / 1000);
        report.config(QStringLiteral("electors"), 100);
        report.config(QStringLiteral("speed"), 100);
    });
}
