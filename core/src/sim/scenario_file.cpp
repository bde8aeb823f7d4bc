#include "baton/sim/scenario_file.h"

#include "json_lines.h"

#include "baton/base/enum_names.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace baton::sim {

namespace {

using Json = nlohmann::json;

std::string shown(double d) {
    std::ostringstream out;
    out << d;
    return out.str();
}

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

// The targets that go by a name, in FaultTarget::Kind's order (an elector goes by its number).
constexpr EnumNames<FaultTarget::Kind, 4> kTargetNames{{"", "leader", "follower", "all"}};

// The timings a timing change may carry, by key.
constexpr std::array<std::pair<const char*, std::optional<Duration> Fault::*>, 3> kFaultTimings = {
    {{"ttl", &Fault::ttl}, {"refresh", &Fault::refresh}, {"retry", &Fault::retry}}};

class Reader {
public:
    explicit Reader(JsonWithLines parsed)
        : m_parsed(std::move(parsed)) {}

    Scenario scenario() const;

private:
    [[noreturn]] void fail(const std::string& path, const std::string& reason) const {
        throw ScenarioFileError(m_parsed.lineOf(path),
                                path.empty() ? reason : path + ": " + reason);
    }

    void onlyKeys(const Json& o, const std::string& path,
                  std::initializer_list<const char*> known) const {
        for (const auto& item : o.items()) {
            const std::string& key = item.key(); // a lambda may not capture a binding (clang 14)
            if (std::find_if(known.begin(), known.end(), [&](const char* k) { return key == k; }) !=
                known.end())
                continue;
            std::string names;
            for (const char* k : known)
                names += (names.empty() ? "" : ", ") + std::string(k);
            fail(join(path, key), "unknown field '" + key + "' (known: " + names + ")");
        }
    }

    Duration duration(const Json& v, const std::string& path, bool allowNegative = false) const {
        // Beyond about 292 years (9.2e12 ms) nanoseconds overflow: refuse before.
        constexpr double kLongestMs = 9e12;
        Duration d{};
        if (v.is_number()) {
            const double ms = v.get<double>();
            if (!(std::fabs(ms) <= kLongestMs))
                fail(path, "out of range, got " + shown(ms) + " ms (at most 9e12)");
            d = Duration(static_cast<Duration::rep>(ms * 1e6));
        } else if (v.is_string()) {
            try {
                d = parseDuration(v.get<std::string>());
            } catch (const std::invalid_argument& e) {
                fail(path, e.what());
            }
        } else {
            fail(path,
                 "expected a duration such as \"5s\", \"1500ms\" or a number of milliseconds");
        }
        if (!allowNegative && d.count() < 0)
            fail(path, "must not be negative, got " + formatDuration(d));
        return d;
    }
    double number(const Json& v, const std::string& path) const {
        if (!v.is_number())
            fail(path, "expected a number");
        return v.get<double>();
    }
    int integer(const Json& v, const std::string& path) const {
        const double d = number(v, path);
        if (!(d >= INT_MIN && d <= INT_MAX) || d != std::trunc(d))
            fail(path, "expected a whole number, got " + shown(d));
        return static_cast<int>(d);
    }
    bool boolean(const Json& v, const std::string& path) const {
        if (!v.is_boolean())
            fail(path, "expected true or false");
        return v.get<bool>();
    }
    std::string string(const Json& v, const std::string& path) const {
        if (!v.is_string())
            fail(path, "expected a string");
        return v.get<std::string>();
    }
    std::uint64_t seed(const Json& v) const {
        if (v.is_number_unsigned())
            return v.get<std::uint64_t>(); // exact, all 64 bits
        const double d = number(v, "seed");
        if (!(d >= 0 && d < 18446744073709551616.0) || d != std::trunc(d))
            fail("seed", "expected a whole number >= 0");
        return static_cast<std::uint64_t>(d);
    }

    FaultTarget target(const Json& v, const std::string& path) const;
    Fault fault(const Json& v, const std::string& path) const;
    void faultOptions(const Json& o, const std::string& path, Fault& f) const;
    bool kindField(const Json& o, const std::string& path, const Fault& f, const char* key,
                   FaultKind kind, const char* which) const;
    ElectorSetup setup(const Json& v, const std::string& path) const;
    Replication replication(const Json& v, const std::string& path) const;
    void primaryKill(const Json& v, const std::string& path, Scenario& s) const;
    void checkRules(const Scenario& s) const;

    JsonWithLines m_parsed;
};

FaultTarget Reader::target(const Json& v, const std::string& path) const {
    FaultTarget t;
    if (v.is_number()) {
        t.kind = FaultTarget::Kind::Elector;
        t.index = integer(v, path);
        return t;
    }
    const std::string s = string(v, path);
    if (const auto named = kTargetNames.find(s); named && *named != FaultTarget::Kind::Elector) {
        t.kind = *named;
    } else {
        // "node-N", N a number that fits an int (as QString::toInt read it).
        const std::string digits = s.rfind("node-", 0) == 0 ? s.substr(5) : std::string();
        char* end = nullptr;
        errno = 0;
        const long n = digits.empty() ? 0 : std::strtol(digits.c_str(), &end, 10);
        if (digits.empty() || *end != '\0' || errno != 0 || n < INT_MIN || n > INT_MAX ||
            std::isspace(static_cast<unsigned char>(digits.front())))
            fail(path, "unknown target '" + s +
                           "' (use an elector number, \"node-N\", \"leader\", \"follower\" "
                           "or \"all\")");
        t.kind = FaultTarget::Kind::Elector;
        t.index = static_cast<int>(n);
    }
    return t;
}

Fault Reader::fault(const Json& v, const std::string& path) const {
    if (!v.is_object())
        fail(path, "expected a fault object such as {\"at\": \"10s\", \"type\": \"crash\", "
                   "\"target\": \"leader\"}");
    onlyKeys(v, path,
             {"at", "type", "target", "duration", "mode", "extra", "ttl", "refresh", "retry",
              "rate", "after", "comment"});
    Fault f;
    if (!v.contains("type"))
        fail(path, "missing field 'type'");
    const std::string type = string(v["type"], join(path, "type"));
    const auto kind = faultKind(type);
    if (!kind)
        fail(join(path, "type"), "unknown fault type '" + type +
                                     "' (known: crash, restart, stop, start, pause, resume, "
                                     "partition, heal, latency, timing, drift, primary-kill)");
    f.kind = *kind;
    if (!v.contains("at"))
        fail(path, "missing field 'at' (when the fault strikes, from the start)");
    f.at = duration(v["at"], join(path, "at"));
    f.target.kind =
        f.kind == FaultKind::Timing ? FaultTarget::Kind::All : FaultTarget::Kind::Leader;
    if (v.contains("target"))
        f.target = target(v["target"], join(path, "target"));
    if (v.contains("duration"))
        f.duration = duration(v["duration"], join(path, "duration"));
    if (v.contains("after")) {
        f.after = integer(v["after"], join(path, "after"));
        if (f.after < 0)
            fail(join(path, "after"), "must not be negative (the steps of its instant before it)");
    }
    faultOptions(v, path, f);
    return f;
}

// The fields only some kinds of fault have.
void Reader::faultOptions(const Json& o, const std::string& path, Fault& f) const {
    if (o.contains("mode")) {
        if (f.kind != FaultKind::Partition)
            fail(join(path, "mode"), "only a partition has a mode");
        const std::string mode = string(o["mode"], join(path, "mode"));
        if (mode == "fail")
            f.mode = Fault::PartitionMode::Fail;
        else if (mode == "hang")
            f.mode = Fault::PartitionMode::Hang;
        else
            fail(join(path, "mode"), "unknown partition mode '" + mode + "' (fail or hang)");
    }
    if (kindField(o, path, f, "extra", FaultKind::Latency, "a latency spike"))
        f.extra = duration(o["extra"], join(path, "extra"));
    else if (f.kind == FaultKind::Latency)
        fail(path, "a latency spike needs 'extra' (the added one-way latency)");
    if (kindField(o, path, f, "rate", FaultKind::Drift, "a clock drift"))
        f.rate = number(o["rate"], join(path, "rate"));
    else if (f.kind == FaultKind::Drift)
        fail(path, "a clock drift needs 'rate' (local seconds per true second, e.g. 1.05)");
    for (const auto& [key, field] : kFaultTimings)
        if (kindField(o, path, f, key, FaultKind::Timing, "a timing change"))
            f.*field = duration(o[key], join(path, key));
}

// Whether `o` has `key`, a field that only faults of `kind` (`which`: "a clock drift") have.
bool Reader::kindField(const Json& o, const std::string& path, const Fault& f, const char* key,
                       FaultKind kind, const char* which) const {
    if (!o.contains(key))
        return false;
    if (f.kind != kind)
        fail(join(path, key), std::string("only ") + which + " has '" + key + "'");
    return true;
}

ElectorSetup Reader::setup(const Json& v, const std::string& path) const {
    if (!v.is_object())
        fail(path, "expected an object such as {\"elector\": 0, \"clockRate\": 0.9}");
    onlyKeys(v, path, {"elector", "clockRate", "latency", "pollingOnly", "startAt", "comment"});
    ElectorSetup e;
    if (!v.contains("elector"))
        fail(path, "missing field 'elector' (its number, from 0)");
    e.index = integer(v["elector"], join(path, "elector"));
    if (v.contains("clockRate"))
        e.clockRate = number(v["clockRate"], join(path, "clockRate"));
    if (v.contains("latency"))
        e.latency = duration(v["latency"], join(path, "latency"));
    if (v.contains("pollingOnly"))
        e.pollingOnly = boolean(v["pollingOnly"], join(path, "pollingOnly"));
    if (v.contains("startAt"))
        e.startAt = duration(v["startAt"], join(path, "startAt"));
    return e;
}

Replication Reader::replication(const Json& v, const std::string& path) const {
    if (!v.is_object())
        fail(path, "expected an object such as {\"replicas\": 1, \"lag\": \"2ms\"}");
    onlyKeys(v, path,
             {"replicas", "lag", "lagP99", "downAfter", "election", "minReplicas", "replicaTimeout",
              "outage", "primaryKills", "comment"});
    Replication r;
    const auto at = [&](const char* key) { return join(path, key); };
    if (v.contains("replicas"))
        r.replicas = integer(v["replicas"], at("replicas"));
    // Negative durations reach validate(), whose message names the rule.
    for (const auto& [key, member] :
         {std::pair{"lag", &Replication::lag}, std::pair{"lagP99", &Replication::lagP99},
          std::pair{"downAfter", &Replication::downAfter},
          std::pair{"election", &Replication::election},
          std::pair{"replicaTimeout", &Replication::replicaTimeout}})
        if (v.contains(key))
            r.*member = duration(v[key], at(key), true);
    if (v.contains("minReplicas"))
        r.minReplicas = integer(v["minReplicas"], at("minReplicas"));
    if (v.contains("outage")) {
        const std::string mode = string(v["outage"], at("outage"));
        if (mode != "fail" && mode != "hang")
            fail(at("outage"), "unknown outage mode '" + mode + "' (fail or hang)");
        r.outageHangs = mode == "hang";
    }
    if (v.contains("primaryKills")) {
        const Json& kills = v["primaryKills"];
        if (!kills.is_array())
            fail(at("primaryKills"), "expected an array of times such as [\"20s\"]");
        for (std::size_t i = 0; i < kills.size(); ++i)
            r.primaryKills.push_back(
                duration(kills[i], at("primaryKills") + "[" + std::to_string(i) + "]"));
    }
    return r;
}

// {"at": "20s", "type": "primary-kill"}: the store's fault, kept with the replication.
void Reader::primaryKill(const Json& v, const std::string& path, Scenario& s) const {
    onlyKeys(v, path, {"at", "type", "comment"});
    if (!s.replication)
        fail(path, "a primary-kill needs a 'replication' block (the replicas to fail over to)");
    if (!v.contains("at"))
        fail(path, "missing field 'at' (when the primary dies, from the start)");
    s.replication->primaryKills.push_back(duration(v["at"], join(path, "at")));
}

Scenario Reader::scenario() const {
    const Json& o = m_parsed.value;
    if (!o.is_object())
        throw ScenarioFileError(1, "expected a JSON object at the top");
    onlyKeys(o, {},
             {"name",       "description",   "resource",      "electors",       "duration",
              "seed",       "ttl",           "refresh",       "retry",          "drift",
              "maxDrift",   "latency",       "latencyJitter", "commandTimeout", "pollingOnly",
              "fencing",    "writeInterval", "electorSetups", "faults",         "comment",
              "latencyP99", "replication"});
    Scenario s;
    const auto field = [&](const char* key, auto read) {
        if (o.contains(key))
            read(o[key], std::string(key));
    };
    field("name", [&](const Json& v, const std::string& p) { s.name = string(v, p); });
    field("description",
          [&](const Json& v, const std::string& p) { s.description = string(v, p); });
    field("resource", [&](const Json& v, const std::string& p) { s.resource = string(v, p); });
    field("electors", [&](const Json& v, const std::string& p) { s.electors = integer(v, p); });
    field("duration", [&](const Json& v, const std::string& p) { s.duration = duration(v, p); });
    field("seed", [&](const Json& v, const std::string&) { s.seed = seed(v); });
    for (const TimingField& t : kTimingFields) // (clang 14 cannot capture a structured binding)
        field(t.name, [&, member = t.field](const Json& v, const std::string& p) {
            s.timing.*member = duration(v, p);
        });
    field("drift", [&](const Json& v, const std::string& p) { s.drift = number(v, p); });
    field("maxDrift", [&](const Json& v, const std::string& p) { s.maxDrift = number(v, p); });
    field("latency", [&](const Json& v, const std::string& p) { s.latency = duration(v, p); });
    field("latencyJitter",
          [&](const Json& v, const std::string& p) { s.latencyJitter = number(v, p); });
    field("latencyP99",
          [&](const Json& v, const std::string& p) { s.latencyP99 = duration(v, p); });
    field("commandTimeout",
          [&](const Json& v, const std::string& p) { s.commandTimeout = duration(v, p); });
    field("pollingOnly",
          [&](const Json& v, const std::string& p) { s.pollingOnly = boolean(v, p); });
    field("fencing", [&](const Json& v, const std::string& p) { s.fencing = boolean(v, p); });
    field("writeInterval",
          [&](const Json& v, const std::string& p) { s.writeInterval = duration(v, p); });
    field("electorSetups", [&](const Json& v, const std::string& p) {
        if (!v.is_array())
            fail(p, "expected an array");
        for (std::size_t i = 0; i < v.size(); ++i)
            s.setups.push_back(setup(v[i], p + "[" + std::to_string(i) + "]"));
    });
    field("replication",
          [&](const Json& v, const std::string& p) { s.replication = replication(v, p); });
    field("faults", [&](const Json& v, const std::string& p) {
        if (!v.is_array())
            fail(p, "expected an array of faults");
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string where = p + "[" + std::to_string(i) + "]";
            if (v[i].is_object() && v[i].contains("type") && v[i]["type"] == "primary-kill")
                primaryKill(v[i], where, s);
            else
                s.faults.push_back(fault(v[i], where));
        }
    });
    checkRules(s);
    return s;
}

// The core's rules (ranges, targets that exist, timing): its message starts with the path.
void Reader::checkRules(const Scenario& s) const {
    try {
        validate(s);
    } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        std::string path = message.substr(0, message.find(':'));
        if (path == "refreshInterval")
            path = "refresh";
        else if (path == "retryInterval")
            path = "retry";
        const auto colon = message.find(": ");
        fail(path, colon == std::string::npos ? message : message.substr(colon + 2));
    }
}

} // namespace

ScenarioFileError::ScenarioFileError(int line, const std::string& reason)
    : std::runtime_error("line " + std::to_string(line) + ": " + reason)
    , m_line(line)
    , m_reason(reason) {}

Scenario parseScenario(std::string_view json) {
    if (json.size() > kMaxScenarioBytes)
        throw ScenarioFileError(0, "larger than " + std::to_string(kMaxScenarioBytes >> 20) +
                                       " MiB: not a scenario file");
    try {
        return Reader(parseWithLines(json)).scenario();
    } catch (const JsonLinesError& e) {
        throw ScenarioFileError(e.line, e.what());
    }
}

namespace {

std::string text(Duration d) {
    return formatDuration(d);
}

Json targetJson(const FaultTarget& t) {
    if (t.kind == FaultTarget::Kind::Elector)
        return t.index;
    return std::string(kTargetNames.name(t.kind));
}

Json faultJson(const Fault& f) {
    Json o{{"at", text(f.at)}, {"type", faultName(f.kind)}, {"target", targetJson(f.target)}};
    if (f.duration.count() > 0)
        o["duration"] = text(f.duration);
    if (f.kind == FaultKind::Partition)
        o["mode"] = f.mode == Fault::PartitionMode::Hang ? "hang" : "fail";
    if (f.kind == FaultKind::Latency)
        o["extra"] = text(f.extra);
    if (f.kind == FaultKind::Drift)
        o["rate"] = f.rate;
    for (const auto& [key, field] : kFaultTimings)
        if (f.*field)
            o[key] = text(*(f.*field));
    if (f.after > 0)
        o["after"] = f.after;
    return o;
}

Json setupJson(const ElectorSetup& e) {
    Json j{{"elector", e.index}};
    if (e.clockRate)
        j["clockRate"] = *e.clockRate;
    if (e.latency)
        j["latency"] = text(*e.latency);
    if (e.pollingOnly)
        j["pollingOnly"] = *e.pollingOnly;
    if (e.startAt)
        j["startAt"] = text(*e.startAt);
    return j;
}

Json replicationJson(const Replication& r) {
    Json o{{"replicas", r.replicas},
           {"lag", text(r.lag)},
           {"downAfter", text(r.downAfter)},
           {"election", text(r.election)},
           {"minReplicas", r.minReplicas},
           {"replicaTimeout", text(r.replicaTimeout)},
           {"outage", r.outageHangs ? "hang" : "fail"},
           {"primaryKills", Json::array()}};
    if (r.lagP99.count() != 0)
        o["lagP99"] = text(r.lagP99);
    for (Duration at : r.primaryKills)
        o["primaryKills"].push_back(text(at));
    return o;
}

} // namespace

std::string scenarioJson(const Scenario& s) {
    Json o{{"name", s.name},
           {"description", s.description},
           {"resource", s.resource},
           {"electors", s.electors},
           {"duration", text(s.duration)},
           {"seed", s.seed},
           {"drift", s.drift},
           {"maxDrift", s.maxDrift},
           {"latency", text(s.latency)},
           {"latencyJitter", s.latencyJitter},
           {"commandTimeout", text(s.commandTimeout)},
           {"pollingOnly", s.pollingOnly},
           {"fencing", s.fencing},
           {"writeInterval", text(s.writeInterval)}};
    if (s.latencyP99.count() != 0) // written only when set: files without a tail stay as they were
        o["latencyP99"] = text(s.latencyP99);
    for (const auto& [key, member] : kTimingFields)
        o[key] = text(s.timing.*member);
    for (const ElectorSetup& e : s.setups)
        o["electorSetups"].push_back(setupJson(e));
    for (const Fault& f : s.faults)
        o["faults"].push_back(faultJson(f));
    if (s.replication)
        o["replication"] = replicationJson(*s.replication);
    return o.dump(4, ' ', false, Json::error_handler_t::replace) + "\n";
}

Scenario loadScenario(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw ScenarioFileError(0, "cannot read " + path + ": " + std::strerror(errno));
    // Read one byte past the limit, so that a larger file (or /dev/zero) is refused unread.
    std::string text(kMaxScenarioBytes + 1, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (file.bad())
        throw ScenarioFileError(0, "cannot read " + path + ": " + std::strerror(errno));
    text.resize(static_cast<std::size_t>(file.gcount()));
    return parseScenario(text);
}

} // namespace baton::sim
