#pragma once
// baton-ctl's output: resources and members as JSON (exact 64-bit fences, text from outside
// escaped by the JSON writer) and as aligned text for people (escaped by baton::visible).

#include <baton/redis/resource_directory.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ctl {

nlohmann::json toJson(const baton::MemberInfo& m);
nlohmann::json toJson(const baton::ResourceInfo& r);
/// One line of JSON; bytes that are not UTF-8 are replaced, control characters escaped.
std::string jsonLine(const nlohmann::json& j);

/// led, no leader, stale presence, bad data, held (foreign).
std::string stateOf(const baton::ResourceInfo& r);
/// The resources as a table, a header line first.
std::string table(const std::vector<baton::ResourceInfo>& resources, double nowMs);
/// One resource in full: holder, fence, TTL, term, and every member with its config.
std::string statusText(const baton::ResourceInfo& r, double nowMs);

} // namespace ctl
