#pragma once
// Which resources form a sharded family: baton-agent --shards N names its shards NAME-0 ...
// NAME-(N-1) and keeps the family's presence entries (each with the shards it leads) on NAME.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton::lab {

/// A resource name read as a shard: "jobs-12" is shard 12 of "jobs".
struct ShardName {
    std::string family;
    int index = 0;
};

/// `name` as a shard: a family name, '-', a decimal index without leading zeros (below
/// 1,000,000, as the agent's --shards limit is far below it); nullopt otherwise.
std::optional<ShardName> shardOf(std::string_view name);

/// The families among `names` (any order), sorted: a family is a name whose shards are listed
/// and that is listed itself (its presence entries) or has at least two shards listed.
std::vector<std::string> shardFamilies(const std::vector<std::string>& names);

} // namespace baton::lab
