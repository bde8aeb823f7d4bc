// Tuner sweep time: the issue's sweep (5 ttls x 4 refresh ratios x 10 seeds x 2 virtual hours,
// 5 electors, latency 2 ms with a 30 ms p99, 20 s outages an hour, 800 ms leader pauses twice an
// hour) and a 10 x 10 grid of the same, wall and CPU seconds on all cores.

#include "support/bench.h"

#include <baton/sim/tuner.h>

#include <ctime>
#include <thread>

using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

baton::TuningRequest issueProfile() {
    baton::TuningRequest r;
    r.profile.electors = 5;
    r.profile.latency = 2ms;
    r.profile.latencyP99 = 30ms;
    r.profile.outage = 20s;
    r.profile.outageRate = 1;
    r.profile.pause = 800ms;
    r.profile.pauseRate = 2;
    r.grid.retryEqualsTtl = true;
    r.requirements.rideOutOutage = 20s;
    r.seeds = 10;
    r.duration = 2h;
    return r;
}

void sweep(Report& report, const QString& name, const baton::TuningRequest& request, int runs) {
    std::vector<double> wall, cpu;
    double virtualHours = 0;
    for (int i = 0; i < runs; ++i) {
        progress("%s, run %d of %d", qPrintable(name), i + 1, runs);
        const double cpuBegin = cpuSeconds();
        const baton::TuningResult result = baton::tune(request);
        cpu.push_back(cpuSeconds() - cpuBegin);
        wall.push_back(result.wallSeconds);
        virtualHours = double(result.points.size()) * request.seeds *
                       std::chrono::duration<double>(request.duration).count() / 3600;
    }
    report.add(name + QStringLiteral(": wall"), QStringLiteral("tuner"), QStringLiteral("s"),
               Better::Lower, wall);
    report.add(name + QStringLiteral(": CPU"), QStringLiteral("tuner"), QStringLiteral("s"),
               Better::Lower, cpu);
    std::vector<double> perCpu;
    for (double c : cpu)
        perCpu.push_back(virtualHours / c);
    report.add(name + QStringLiteral(": virtual hours per CPU second"), QStringLiteral("tuner"),
               QStringLiteral("h/s"), Better::Higher, perCpu);
    report.detail(name + QStringLiteral(" virtual hours"), virtualHours);
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("tuner-sweep"), [](Report& report) {
        report.config(QStringLiteral("threads"), int(std::thread::hardware_concurrency()));
        baton::TuningRequest issue = issueProfile();
        issue.grid.ttls = {2s, 5s, 10s, 15s, 30s};
        issue.grid.refreshRatios = {0.1, 0.2, 0.3, 0.4};
        baton::TuningRequest wide = issueProfile();
        for (int i = 1; i <= 10; ++i) {
            wide.grid.ttls.push_back(baton::Duration(std::chrono::seconds(3 * i)));
            wide.grid.refreshRatios.push_back(0.04 * i);
        }
        if (report.quick()) {
            issue.seeds = 1;
            issue.duration = 10min;
            wide.grid.ttls.resize(3);
            wide.seeds = 1;
            wide.duration = 10min;
        }
        const int runs = report.quick() ? 1 : 3;
        report.config(QStringLiteral("seeds"), issue.seeds);
        report.config(QStringLiteral("virtualHoursPerSeed"),
                      std::chrono::duration<double>(issue.duration).count() / 3600);
        sweep(report, QStringLiteral("issue's 5x4 sweep"), issue, runs);
        sweep(report, QStringLiteral("10x10 sweep"), wide, 1);
    });
}
