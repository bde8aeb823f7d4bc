// The lab under a hung store: Redis mode with agents and thread electors, then the server
// SIGSTOPped for 10 s. A 5 ms timer on the GUI thread records every gap between its ticks; the
// longest is the worst stall. The same probe with the server answering is the baseline.

#include "support/bench.h"
#include "support/gap_probe.h"
#include "support/lab.h"
#include "support/redis.h"

#include <QApplication>

using namespace baton::bench;
using baton::lab::Action;
using baton::lab::MainWindow;

namespace {

// Gaps between the ticks of a 5 ms timer over `ms`, in ms.
std::vector<double> probe(int ms) {
    baton::test::GapProbe gaps(5, Qt::PreciseTimer);
    gaps.start();
    runFor(ms);
    gaps.stop();
    return gaps.gaps();
}

double worst(const std::vector<double>& gaps) {
    return gaps.empty() ? 0 : *std::max_element(gaps.begin(), gaps.end());
}

} // namespace

int main(int argc, char** argv) {
    return run<QApplication>(argc, argv, QStringLiteral("lab-hung-store"), [](Report& report) {
        auto redis = startRedis();
        MainWindow::Options o;
        o.agentPath = QStringLiteral(BATON_AGENT_PATH);
        MainWindow w(o);
        w.resize(1600, 1000);
        w.show();
        w.connectRedis(QString::fromStdString(redis->url()), 3);
        for (int i = 0; i < 2; ++i) {
            Action add;
            add.kind = Action::Kind::AddThread;
            w.controller().act(add);
        }
        if (!waitUntil(
                [&] {
                    return w.controller().snapshot().electors.size() == 5 &&
                           leaderOf(w.controller().snapshot()) >= 0;
                },
                15000))
            throw Failure("no leader among 5 electors within 15 s");
        const int ms = report.quick() ? 2000 : 10000;
        const std::vector<double> answering = probe(ms);
        redis->pause();
        const std::vector<double> hung = probe(ms);
        const bool said = w.statusText().contains(QStringLiteral("not answering"));
        redis->resume();
        const bool back = waitUntil(
            [&] {
                return !w.statusText().contains(QStringLiteral("not answering")) &&
                       leaderOf(w.controller().snapshot()) >= 0;
            },
            20000);
        Figure& base = report.add(QStringLiteral("GUI thread: longest stall"),
                                  QStringLiteral("Redis answering"), QStringLiteral("ms"),
                                  Better::Lower, {worst(answering)});
        report
            .add(QStringLiteral("GUI thread: longest stall"), QStringLiteral("Redis SIGSTOPped"),
                 QStringLiteral("ms"), Better::Lower, {worst(hung)})
            .target(Target::Stat::Median, true, 50)
            .note(QStringLiteral("%1 s hung, 3 agents + 2 thread electors; the status bar %2")
                      .arg(ms / 1000)
                      .arg(said ? QStringLiteral("said so") : QStringLiteral("did NOT say so")))
            .comparedTo(base);
        report.add(QStringLiteral("GUI thread: timer gaps"), QStringLiteral("Redis SIGSTOPped"),
                   QStringLiteral("ms"), Better::Lower, hung);
        report.detail(QStringLiteral("statusSaidNotAnswering"), said);
        report.detail(QStringLiteral("recoveredWithLeader"), back);
    });
}
