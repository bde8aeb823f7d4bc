#include "shards/shard_family.h"

#include <algorithm>
#include <map>
#include <set>

namespace baton::lab {

namespace {
constexpr int kMaxIndex = 999999;
} // namespace

std::optional<ShardName> shardOf(std::string_view name) {
    const auto dash = name.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size())
        return std::nullopt;
    const std::string_view digits = name.substr(dash + 1);
    if (digits.size() > 6 || (digits.size() > 1 && digits.front() == '0') ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    int index = 0;
    for (const char c : digits)
        index = index * 10 + (c - '0');
    if (index > kMaxIndex)
        return std::nullopt;
    return ShardName{std::string(name.substr(0, dash)), index};
}

std::vector<std::string> shardFamilies(const std::vector<std::string>& names) {
    std::map<std::string, int> shards; // family -> shards listed
    for (const std::string& n : names)
        if (const auto s = shardOf(n))
            ++shards[s->family];
    const std::set<std::string> listed(names.begin(), names.end());
    std::vector<std::string> out;
    for (const auto& [family, count] : shards)
        if (count >= 2 || listed.count(family))
            out.push_back(family);
    return out; // a std::map's order: sorted
}

} // namespace baton::lab
