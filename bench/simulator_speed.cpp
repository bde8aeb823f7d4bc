// Simulator speed: virtual hours per wall second of a simulated cluster with a random fault
// schedule (baton::randomFaults), 5 and 100 electors, one run per seed.

#include "support/bench.h"

#include <baton/sim/random_faults.h>
#include <baton/sim/simulator.h>

#include <ctime>

using namespace baton::bench;

namespace {

struct Speed {
    double perWallSecond, perCpuSecond; // virtual hours
};

// One run; on a machine shared with other work, the CPU time shows what the run itself costs.
Speed measure(int electors, double hours, std::uint64_t seed) {
    baton::Scenario s;
    s.electors = electors;
    s.duration =
        std::chrono::duration_cast<baton::Duration>(std::chrono::duration<double>(hours * 3600));
    s.seed = seed;
    s.faults = baton::randomFaults(s, seed);
    const auto begin = std::chrono::steady_clock::now();
    const double cpuBegin = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    const baton::History h = baton::simulate(s);
    const double cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpuBegin;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    const double virtualHours = std::chrono::duration<double>(h.end - h.start).count() / 3600.0;
    return {virtualHours / wall, virtualHours / cpu};
}

} // namespace

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("simulator-speed"), [](Report& report) {
        struct Case {
            int electors;
            double hours;
        };
        const int runs = report.quick() ? 1 : 5;
        for (const Case c :
             {Case{5, report.quick() ? 1.0 : 24.0}, Case{100, report.quick() ? 0.05 : 1.0}}) {
            std::vector<double> wall, cpu;
            for (int i = 0; i < runs; ++i) {
                const Speed speed = measure(c.electors, c.hours, std::uint64_t(i + 1));
                wall.push_back(speed.perWallSecond);
                cpu.push_back(speed.perCpuSecond);
            }
            const QString name = QStringLiteral("%1 electors, random faults").arg(c.electors);
            Figure& f = report.add(name, QStringLiteral("Baton"), QStringLiteral("virtual h/s"),
                                   Better::Higher, wall);
            f.note(QStringLiteral("%1 virtual hours a run, one run per seed").arg(c.hours));
            if (c.electors == 5)
                f.target(Target::Stat::Median, false, 24);
            // Issue 12's targets: what a tuner sweep of seconds needs.
            report
                .add(name + QStringLiteral(", per CPU second"), QStringLiteral("Baton"),
                     QStringLiteral("virtual h/s"), Better::Higher, cpu)
                .target(Target::Stat::Median, false, c.electors == 5 ? 100 : 20);
        }
        report.config(QStringLiteral("runsPerCase"), runs);
    });
}
