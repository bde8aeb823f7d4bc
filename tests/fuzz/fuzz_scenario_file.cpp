// Scenario files (baton-sim FILE, the lab's File > Open): parseScenario throws only
// ScenarioFileError with a line inside the file, and a scenario it reads is written
// (scenarioJson) as a file that reads back to the same scenario.

#include "fuzz_check.h"

#include <baton/sim/scenario_file.h>

#include <algorithm>

using namespace baton;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::view(data, size);
    std::string written;
    try {
        written = sim::scenarioJson(sim::parseScenario(text));
    } catch (const sim::ScenarioFileError& e) {
        const auto lines = 1 + std::count(text.begin(), text.end(), '\n');
        fuzz::require(e.line() >= 0 && e.line() <= lines, "line " + std::to_string(e.line()) +
                                                              " of a " + std::to_string(lines) +
                                                              "-line file: " + e.what());
        return 0;
    }
    try {
        const std::string again = sim::scenarioJson(sim::parseScenario(written));
        fuzz::require(again == written, "written back, it reads as another scenario:\n" + written +
                                            "\nthen\n" + again);
    } catch (const sim::ScenarioFileError& e) {
        fuzz::require(false,
                      std::string("written back, it does not read: ") + e.what() + "\n" + written);
    }
    return 0;
}
