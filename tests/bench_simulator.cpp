// Benchmark (not a test): how many virtual hours a simulated cluster runs per wall second.
// Prints JSON: the median of several runs for 5 electors with random faults, and for a baseline
// measured in the same run (5 electors, no faults), and their ratio.
// Usage: bench_simulator [runs (default 5)] [virtual hours per run (default 24)]

#include <baton/baton.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Virtual hours per wall second of one run.
double measure(const baton::Scenario& s, std::size_t& events) {
    const auto begin = std::chrono::steady_clock::now();
    const baton::History h = baton::simulate(s);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    events = h.events.size();
    return std::chrono::duration<double>(h.end - h.start).count() / 3600.0 / wall;
}

} // namespace

int main(int argc, char* argv[]) {
    const int runs = argc > 1 ? std::max(1, std::stoi(argv[1])) : 5;
    const int hours = argc > 2 ? std::max(1, std::stoi(argv[2])) : 24;
    std::vector<double> faulty, baseline;
    std::size_t faults = 0, events = 0, baselineEvents = 0;
    for (int i = 0; i < runs; ++i) {
        baton::Scenario s;
        s.electors = 5;
        s.duration = std::chrono::hours(hours);
        s.seed = static_cast<std::uint64_t>(i + 1);
        baton::Scenario quiet = s;
        s.faults = baton::randomFaults(s, s.seed);
        faults += s.faults.size();
        faulty.push_back(measure(s, events));
        baseline.push_back(measure(quiet, baselineEvents));
    }
    const double f = median(faulty), b = median(baseline);
    std::printf("{\n  \"runs\": %d,\n  \"virtualHoursPerRun\": %d,\n  \"electors\": 5,\n"
                "  \"randomFaults\": {\"virtualHoursPerWallSecond\": %.1f, \"faultsPerRun\": %zu, "
                "\"electorEventsPerRun\": %zu},\n"
                "  \"baselineNoFaults\": {\"virtualHoursPerWallSecond\": %.1f, "
                "\"electorEventsPerRun\": %zu},\n"
                "  \"ratio\": %.3f\n}\n",
                runs, hours, f, faults / static_cast<std::size_t>(runs), events, b, baselineEvents,
                b > 0 ? f / b : 0.0);
    return 0;
}
