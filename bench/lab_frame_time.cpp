// Lab frame time: the lab offscreen with 100 simulated electors at 10x, the leader killed
// every few seconds; each frame (30 a second) the cluster view and the timeline are painted into
// an image, as they paint on screen, and timed.

#include "support/bench.h"
#include "support/lab.h"

#include "cluster/cluster_view.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QApplication>
#include <QImage>

using namespace baton::bench;
using baton::lab::MainWindow;

namespace {

double paintMs(QWidget* view, QImage& image) {
    image.fill(Qt::transparent);
    QElapsedTimer t;
    t.start();
    view->render(&image);
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    return run<QApplication>(argc, argv, QStringLiteral("lab-frame-time"), [](Report& report) {
        const auto lab = openSimulatedLab(100, 10);
        MainWindow& w = *lab;
        if (!waitUntil([&] { return leaderOf(w.controller().snapshot()) >= 0; }, 10000))
            throw Failure("no leader within 10 s");
        const int seconds = report.quick() ? 3 : 20;
        QImage cluster(w.clusterView()->size(), QImage::Format_ARGB32_Premultiplied);
        QImage timeline(w.timelineView()->size(), QImage::Format_ARGB32_Premultiplied);
        std::vector<double> clusterMs, timelineMs;
        QTimer frame;
        frame.setInterval(33);
        QObject::connect(&frame, &QTimer::timeout, &frame, [&] {
            clusterMs.push_back(paintMs(w.clusterView(), cluster));
            timelineMs.push_back(paintMs(w.timelineView(), timeline));
        });
        // Failovers keep the timeline busy: a kill every 2 s of wall time (20 s simulated).
        QTimer kill;
        frame.start();
        killLeaderEvery(kill, w, 2000);
        runFor(seconds * 1000);
        const QString setup = QStringLiteral("100 simulated electors at 10x, %1x%2 px")
                                  .arg(w.clusterView()->width())
                                  .arg(w.clusterView()->height());
        report
            .add(QStringLiteral("cluster view paint"), QStringLiteral("Baton"),
                 QStringLiteral("ms"), Better::Lower, clusterMs)
            .target(Target::Stat::P99, true, 16)
            .note(setup);
        report
            .add(QStringLiteral("timeline paint"), QStringLiteral("Baton"), QStringLiteral("ms"),
                 Better::Lower, timelineMs)
            .target(Target::Stat::P99, true, 16)
            .note(QStringLiteral("100 lanes, %1x%2 px")
                      .arg(w.timelineView()->width())
                      .arg(w.timelineView()->height()));
        report.config(QStringLiteral("seconds"), seconds);
        report.config(QStringLiteral("electors"), 100);
        report.config(QStringLiteral("speed"), 10);
    });
}
