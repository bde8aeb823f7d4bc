#pragma once
// The Redis store's Lua scripts (one atomic step each) and the bounds on what it reads back:
// nothing longer than Baton ever writes leaves the server.

#include <cstddef>
#include <string>

namespace baton::redis_detail {

/// The longest lock value Baton writes is far below this; a longer one is somebody else's.
constexpr std::size_t kMaxLockValue = 64 * 1024;
/// The longest holder id (and presence entry id) Baton writes or reads.
constexpr std::size_t kMaxIdentity = 1024;
/// The longest presence entry (its JSON) Baton writes is far below this.
constexpr std::size_t kMaxMemberEntry = 16 * 1024;
/// The most presence entries read in one look.
constexpr std::size_t kMaxMembers = 1000;

#define BATON_STR2(x) #x
#define BATON_STR(x) BATON_STR2(x)
#define BATON_MAX_LOCK_VALUE 65536
#define BATON_MAX_IDENTITY 1024
static_assert(BATON_MAX_LOCK_VALUE == kMaxLockValue && BATON_MAX_IDENTITY == kMaxIdentity);

// The lock value is wire::LockValue: {"id": identity, "fence": N, "token": secret}. Lua numbers
// are doubles, exact only below 2^53, so the scripts never do arithmetic on a fence: they keep
// its digits as text, read from the value ("fence":N can only be the field: an id is quoted).
#define BATON_LUA_FENCE "string.match(cur, '\"fence\":%s*(%d+)')"

// Reads KEYS[1] into cur, v (decoded) and fs (the fence's digits); garbage is an error, and so
// is a value or an id longer than Baton writes (STRLEN first: a 20 MB value is never copied).
#define BATON_LUA_READ                                                                             \
    "local size = redis.call('STRLEN', KEYS[1])\n"                                                 \
    "if size > " BATON_STR(                                                                        \
        BATON_MAX_LOCK_VALUE) " then\n"                                                            \
                              "  return redis.error_reply('BATON_TOO_LONG ' .. size)\n"            \
                              "end\n"                                                              \
                              "local cur = redis.call('GET', KEYS[1])\n"                           \
                              "local ok, v, fs\n"                                                  \
                              "if cur then\n"                                                      \
                              "  ok, v = pcall(cjson.decode, cur)\n"                               \
                              "  if ok and type(v) == 'table' then fs = " BATON_LUA_FENCE " end\n" \
                              "  if not ok or type(v) ~= 'table' or type(v.id) ~= 'string' or "    \
                              "type(v.fence) ~= 'number'\n"                                        \
                              "     or not fs then\n"                                              \
                              "    return redis.error_reply('BATON_GARBAGE')\n"                    \
                              "  end\n"                                                            \
                              "  if #v.id > " BATON_STR(                                           \
                                  BATON_MAX_IDENTITY) " then\n"                                    \
                                                      "    return "                                \
                                                      "redis.error_reply('BATON_LONG_ID ' .. "     \
                                                      "#v.id)\n"                                   \
                                                      "  end\n"                                    \
                                                      "end\n"

// acquire(KEYS: lock, fence; ARGV: token, identity, ttl ms, floor) ->
//   {1, fence} when taken (or already held by this token: a retry), {0, holder id, holder
//   fence, pttl} when held by another.
// A fence is above INCR, the server's time in microseconds and `floor` (the highest fence the
// caller has seen, in digits): so it stays increasing after data loss, and after a failover to a
// replica that missed the last writes and whose clock is behind. The counter keeps it, so the
// next fence continues above it. INCR is exact in Redis (64-bit); fences are compared as digit
// strings and read back with GET, never through a double.
constexpr const char* kAcquireBody = R"lua(
if cur then
  if v.token == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return {1, fs}
  end
  return {0, v.id, fs, redis.call('PTTL', KEYS[1])}
end
local incr = redis.pcall('INCR', KEYS[2])
if type(incr) == 'table' and incr.err then
  -- Only a bad counter is the fence key's fault: a replica's or a permission's error stays one.
  local e = incr.err
  if string.find(e, '^WRONGTYPE') or string.find(e, 'integer') or string.find(e, 'overflow') then
    return redis.error_reply('BATON_BAD_FENCE ' .. e)
  end
  return incr
end
local function below(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
fs = redis.call('GET', KEYS[2])
if not below(ARGV[4], fs) then
  redis.call('SET', KEYS[2], ARGV[4])
  redis.call('INCR', KEYS[2])
  fs = redis.call('GET', KEYS[2])
end
local t = redis.call('TIME')
local now = string.format('%d', tonumber(t[1]) * 1000000 + tonumber(t[2]))
if below(fs, now) then
  fs = now
  redis.call('SET', KEYS[2], fs)
end
redis.call('SET', KEYS[1], '{"id":' .. cjson.encode(ARGV[2]) .. ',"fence":' .. fs ..
  ',"token":' .. cjson.encode(ARGV[1]) .. '}', 'PX', ARGV[3])
return {1, fs}
)lua";
inline const std::string kAcquire = std::string(BATON_LUA_READ) + kAcquireBody;

// Whether KEYS[1] holds a lock of token ARGV[1]: returns 0 when it does not (a value too long
// to be Baton's is not decoded at all).
#define BATON_LUA_HELD                                                                             \
    "if redis.call('STRLEN', KEYS[1]) > " BATON_STR(                                               \
        BATON_MAX_LOCK_VALUE) " then return 0 end\n"                                               \
                              "local cur = redis.call('GET', KEYS[1])\n"                           \
                              "if not cur then return 0 end\n"                                     \
                              "local ok, v = pcall(cjson.decode, cur)\n"                           \
                              "if not ok or type(v) ~= 'table' or v.token ~= ARGV[1] then return " \
                              "0 end\n"

// extend(KEYS: lock; ARGV: token, ttl ms) -> 1 when extended, 0 when not held.
#define BATON_LUA_EXTEND BATON_LUA_HELD "redis.call('PEXPIRE', KEYS[1], ARGV[2])\nreturn 1\n"
constexpr const char* kExtend = BATON_LUA_EXTEND;

// release(KEYS: lock; ARGV: token, channel) -> 1 when released (and announced), 0 when not held.
// The notice is wire::ReleaseNotice.
constexpr const char* kRelease =
    BATON_LUA_HELD "local fs = " BATON_LUA_FENCE "\n"
                   "redis.call('DEL', KEYS[1])\n"
                   "redis.call('PUBLISH', ARGV[2], '{\"event\":\"released\",\"fence\":' ..\n"
                   "  (fs or '0') .. ',\"id\":' .. cjson.encode(v.id) .. '}')\n"
                   "return 1\n";

// inspect(KEYS: lock) -> {} when free, {holder id, fence, pttl} when held.
constexpr const char* kInspect = BATON_LUA_READ R"lua(
if not cur then return {} end
return {v.id, fs, redis.call('PTTL', KEYS[1])}
)lua";

// The server's Unix time in whole ms, as a Lua number (exact: far below 2^53).
#define BATON_LUA_NOW_MS                                                                           \
    "local t = redis.call('TIME')\n"                                                               \
    "local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

// members(KEYS: members; ARGV: most entries, longest id, longest entry) ->
//   {entries in all, server ms, id, entry, id, entry, ...}: at most ARGV[1] of them. An entry too
//   long to be Baton's comes as its length in bytes (an integer) in place of its text; an id too
//   long, as its first 64 bytes and minus its length.
constexpr const char* kMembers = BATON_LUA_NOW_MS R"lua(
local most, longestId, longest = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {redis.call('HLEN', KEYS[1]), nowMs}
local cursor = '0'
repeat
  local page = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 100)
  cursor = page[1]
  for i = 1, #page[2], 2 do
    if #out > 2 * most + 1 then return out end
    local id, entry = page[2][i], page[2][i + 1]
    if #id > longestId then
      out[#out + 1] = string.sub(id, 1, 64)
      out[#out + 1] = -#id
    elseif #entry > longest then
      out[#out + 1] = id
      out[#out + 1] = #entry
    else
      out[#out + 1] = id
      out[#out + 1] = entry
    end
  end
until cursor == '0'
return out
)lua";

// check(KEYS: lock, fence, members) -> {} when every call an election makes is allowed here,
// else {command, the server's error}. Reads the keys, then makes one write that changes
// nothing (atomic, as every script is): the fence is set to its own value, or deleted when it
// does not exist. So a missing key permission or a read-only replica shows before any
// election starts. Somebody else's data (WRONGTYPE) is left to the lock calls to report.
constexpr const char* kCheck = R"lua(
local function denied(...)
  local r = redis.pcall(...)
  if type(r) == 'table' and r.err and not string.find(r.err, '^WRONGTYPE') then
    return r.err
  end
end
local reads = {{'EXISTS', KEYS[1], KEYS[2], KEYS[3]}, {'STRLEN', KEYS[1]}, {'PTTL', KEYS[1]},
               {'TIME'}}
for _, call in ipairs(reads) do
  local err = denied(unpack(call))
  if err then return {call[1], err} end
end
local ok, fence = pcall(redis.call, 'GET', KEYS[2])
if not ok then return {} end
local err
if fence then
  err = denied('SET', KEYS[2], fence, 'KEEPTTL')
  if err then return {'SET', err} end
else
  err = denied('DEL', KEYS[2])
  if err then return {'DEL', err} end
end
return {}
)lua";

// look(KEYS: lock; ARGV: longest value) -> {status, value, pttl, server ms} for the resource
// directory: status 0 no lock (value ''), 1 the value, 2 too long (value: its length), 3 not a
// string (value: its type). Reads only, whatever the key holds.
constexpr const char* kLook = BATON_LUA_NOW_MS R"lua(
local out = {0, '', redis.call('PTTL', KEYS[1]), nowMs}
local size = redis.pcall('STRLEN', KEYS[1])
if type(size) == 'table' then
  out[1], out[2] = 3, redis.call('TYPE', KEYS[1]).ok
elseif size > tonumber(ARGV[1]) then
  out[1], out[2] = 2, size
elseif size > 0 then
  out[1], out[2] = 1, redis.call('GET', KEYS[1])
end
return out
)lua";

// foreign(KEYS: key; ARGV: longest value, most hash fields) -> {type, pttl, size, value} for
// a string key, {type, pttl, size, field, value, ...} for a hash: another library's lock, read
// bounded (a value past the limit is cut to it; a hash with too many fields is not read).
constexpr const char* kForeign = R"lua(
local longest, most = tonumber(ARGV[1]), tonumber(ARGV[2])
local ty = redis.call('TYPE', KEYS[1]).ok
local out = {ty, redis.call('PTTL', KEYS[1]), 0}
if ty == 'string' then
  out[3] = redis.call('STRLEN', KEYS[1])
  if out[3] <= longest then out[4] = redis.call('GET', KEYS[1]) end
elseif ty == 'hash' then
  out[3] = redis.call('HLEN', KEYS[1])
  if out[3] <= most then
    local all = redis.call('HGETALL', KEYS[1])
    for i = 1, #all do out[#out + 1] = string.sub(all[i], 1, longest) end
  end
end
return out
)lua";

// The presence write of a heartbeat, as a Lua function: beat(members key, id, entry JSON, life ms,
// most entries checked, restamp) -> entries pruned. Writes the entry with "exp" (the server's ms
// when it turns stale) added, so that no reader's or writer's clock matters (with `restamp`, its
// "seen" too: an entry carried by the election's calls was encoded long before); deletes every
// entry whose "exp" has passed (a member killed without cleaning up), and an old agent's entry
// (no "exp") unseen for 10 minutes; keeps the hash itself alive at least `life`, so that it
// vanishes when the last member dies. ("exp": can only be a field name: a quote inside a JSON
// string is escaped.)
#define BATON_LUA_BEAT_FN                                                                          \
    "local function beat(key, id, entry, life, most, restamp)\n" BATON_LUA_NOW_MS                  \
    "if string.sub(entry, -1) ~= '}' or string.find(entry, '\"exp\":') then\n"                     \
    "  return redis.error_reply('BATON_BAD_ENTRY')\n"                                              \
    "end\n"                                                                                        \
    "if restamp then\n"                                                                            \
    "  entry = string.gsub(entry, '\"seen\":[%d.eE+-]+', '\"seen\":' .. string.format('%d', "      \
    "nowMs), 1)\n"                                                                                 \
    "end\n"                                                                                        \
    "entry = string.sub(entry, 1, -2) .. ',\"exp\":' .. string.format('%d', nowMs + life) .. "     \
    "'}'\n"                                                                                        \
    "redis.call('HSET', key, id, entry)\n"                                                         \
    "if redis.call('PTTL', key) < life then redis.call('PEXPIRE', key, life) end\n"                \
    "local pruned, checked, cursor = 0, 0, '0'\n"                                                  \
    "repeat\n"                                                                                     \
    "  local page = redis.call('HSCAN', key, cursor, 'COUNT', 100)\n"                              \
    "  cursor = page[1]\n"                                                                         \
    "  for i = 1, #page[2], 2 do\n"                                                                \
    "    local e = page[2][i + 1]\n"                                                               \
    "    if #e <= 16384 then\n"                                                                    \
    "      local exp = tonumber(string.match(e, '\"exp\":%s*(%d+)'))\n"                            \
    "      local seen = tonumber(string.match(e, '\"seen\":%s*([%d.]+)'))\n"                       \
    "      if (exp and exp < nowMs) or (not exp and seen and seen + 600000 < nowMs) then\n"        \
    "        redis.call('HDEL', key, page[2][i])\n"                                                \
    "        pruned = pruned + 1\n"                                                                \
    "      end\n"                                                                                  \
    "    end\n"                                                                                    \
    "    checked = checked + 1\n"                                                                  \
    "  end\n"                                                                                      \
    "until cursor == '0' or checked >= most\n"                                                     \
    "return pruned\n"                                                                              \
    "end\n"

// heartbeat(KEYS: members; ARGV: id, entry JSON, life ms, most entries checked) -> entries
// pruned (see beat above).
constexpr const char* kHeartbeat =
    BATON_LUA_BEAT_FN "return beat(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), "
                      "tonumber(ARGV[4]), false)\n";

// The election's calls that carry a presence entry (RedisStore::carryPresence): the beat first
// (its KEYS and ARGV last: members; id, entry, life ms, most), then the call as above, so that a
// healthy elector's presence costs no request of its own. A bad entry is the carrier's bug, not
// the lock's: the call goes on without it.
#define BATON_LUA_CARRY(k, a)                                                                      \
    BATON_LUA_BEAT_FN "beat(KEYS[" #k "], ARGV[" #a "], ARGV[" #a " + 1], tonumber(ARGV[" #a       \
                      " + 2]), tonumber(ARGV[" #a " + 3]), true)\n"
inline const std::string kAcquireCarry = BATON_LUA_CARRY(3, 5) + kAcquire;
constexpr const char* kExtendCarry = BATON_LUA_CARRY(2, 3) BATON_LUA_EXTEND;

enum ScriptId {
    Acquire,
    Extend,
    Release,
    Inspect,
    Members,
    Check,
    Look,
    Foreign,
    Heartbeat,
    AcquireCarry,
    ExtendCarry,
    ScriptCount
};
inline const std::string kScripts[ScriptCount] = {kAcquire,   kExtend,       kRelease,    kInspect,
                                                  kMembers,   kCheck,        kLook,       kForeign,
                                                  kHeartbeat, kAcquireCarry, kExtendCarry};
/// What each script runs, for a message when the user may not run one of them.
constexpr const char* kScriptCommands[ScriptCount] = {
    "STRLEN, GET, PEXPIRE, PTTL, INCR, TIME, SET",
    "STRLEN, GET, PEXPIRE",
    "STRLEN, GET, DEL, PUBLISH",
    "STRLEN, GET, PTTL",
    "TIME, HLEN, HSCAN",
    "EXISTS, STRLEN, PTTL, TIME, GET, SET, DEL",
    "TIME, PTTL, STRLEN, TYPE, GET",
    "TYPE, PTTL, STRLEN, GET, HLEN, HGETALL",
    "TIME, HSET, PTTL, PEXPIRE, HSCAN, HDEL",
    "STRLEN, GET, PEXPIRE, PTTL, INCR, TIME, SET, "
    "HSET, HSCAN, HDEL",
    "STRLEN, GET, PEXPIRE, TIME, HSET, PTTL, "
    "HSCAN, HDEL"};

} // namespace baton::redis_detail
