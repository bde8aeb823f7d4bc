#pragma once
// The campaign's verdict, for a terminal or as JSON: terms, faults by kind, failovers (p50/p99
// by cause), overlaps, fence violations, time without a leader.

#include "campaign.h"

#include <nlohmann/json.hpp>

#include <string>

namespace campaign {

/// What the run was: printed above the verdict, and in the JSON.
struct Setting {
    std::string redis; ///< shown without a password
    bool localRedis = false;
    std::string resource;
    std::string dir;
};

/// A schedule time right-aligned in a column ("   1.500s").
std::string padded(const std::string& time);
std::string scheduleText(const Options& o, const Schedule& s);
std::string verdictText(const Setting& setting, const Outcome& out);
nlohmann::json verdictJson(const Options& o, const Setting& setting, const Schedule& s,
                           const Outcome& out);

} // namespace campaign
