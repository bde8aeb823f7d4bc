// baton-ctl's command line (CLI11): one subcommand a run, each with its own --help.

#include "ctl.h"

#include <baton/base/text.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace ctl {

namespace {

const char* const kFooter = R"(
Each subcommand (SUBCOMMAND --help says more):
  baton-ctl [--redis URL] resources [--json] [--pattern P]...
  baton-ctl [--redis URL] status RESOURCE [--json]
  baton-ctl [--redis URL] watch RESOURCE...
  baton-ctl [--redis URL] resign RESOURCE [--wait 5s] [--hold-off D] [--force-delete] [--json]
  baton-ctl [--redis URL] stop ID [--resource R] [--wait 5s]
  baton-ctl [--redis URL] pause|partition ID DURATION [--resource R] [--wait 5s]
  baton-ctl [--redis URL] set ID [--ttl D] [--refresh D] [--retry D] [--resource R]

Exit codes: 0 done; 1 it did not happen in time (no new leader within --wait, say);
2 bad usage; 3 Redis unreachable or the login refused; 4 not permitted (the agent was not
started with --allow-control, or the Redis user's ACL forbids it).
Durations take a unit (250ms, 1.5s, 2m); a bare number is milliseconds.
The password in a URL is never printed.)";

baton::Duration durationOf(const std::string& flag, const std::string& text) {
    try {
        const baton::Duration d = baton::parseDuration(text);
        if (d.count() < 0 || d > std::chrono::hours(24))
            throw Failure(BadUsage, flag + " must be between 0 and 24h, got '" +
                                        baton::visible(text, 64) + "'");
        return d;
    } catch (const std::invalid_argument& e) {
        throw Failure(BadUsage, flag + ": " + e.what());
    }
}

// The raw text of every option, converted after parsing so that each message names its flag.
struct Texts {
    std::string wait = "5s", holdOff, length, ttl, refresh, retry;
};

CLI::App* addControl(CLI::App& app, Request& r, Texts& t, const char* name, const char* help) {
    CLI::App* c = app.add_subcommand(name, help);
    c->add_option("ID", r.id, "The elector's id (\"*\": every elector of --resource).")
        ->required()
        ->type_name("");
    c->add_option("-r,--resource", r.resource,
                  "Its resource (default: found among the live members by a scan).")
        ->type_name("R");
    c->add_option("--wait", t.wait,
                  "How long to wait for its presence entry to show it obeyed (default 5s; 0: "
                  "do not wait).")
        ->type_name("D");
    c->callback([&r, name] { r.command = name; });
    return c;
}

void build(CLI::App& app, Request& r, Texts& t, bool& version) {
    app.set_help_flag("-h,--help", "Shows this help (and SUBCOMMAND --help, a subcommand's).");
    app.add_flag("-v,--version", version, "Shows the version.");
    app.add_option("--redis", r.redis,
                   "redis://[user:password@]host[:port][/db] or unix:///path.sock (default: "
                   "$REDIS_URL, else redis://127.0.0.1:6379).")
        ->type_name("URL");
    app.footer(kFooter);
    app.require_subcommand(0, 1);

    CLI::App* list = app.add_subcommand(
        "resources", "Every resource on the server (SCAN, never KEYS): holder, fence, TTL, "
                     "live members, term, state.");
    list->add_flag("--json", r.json, "One JSON document instead of a table.");
    list->add_option("--pattern,--lock-pattern", r.patterns,
                     "Also read keys matching P (SCAN MATCH syntax, e.g. 'leader:*' or "
                     "'*:lock') as other libraries' locks: the holder is a string key's value "
                     "or a hash key's field, the TTL its PTTL. Repeatable.")
        ->type_name("P");
    list->callback([&r] { r.command = "resources"; });

    CLI::App* status =
        app.add_subcommand("status", "One resource: holder, fence, TTL, term, and every live "
                                     "member with its state and config.");
    status->add_option("RESOURCE", r.resources, "The resource.")
        ->required()
        ->expected(1)
        ->type_name("");
    status->add_flag("--json", r.json, "One JSON document instead of text.");
    status->callback([&r] { r.command = "status"; });

    CLI::App* watch = app.add_subcommand(
        "watch", "Streams events and holder changes of the resources as JSON lines, one per "
                 "event, until Ctrl-C or SIGTERM. Reads only.");
    watch->add_option("RESOURCE", r.resources, "The resource(s).")->required()->type_name("");
    watch->callback([&r] { r.command = "watch"; });

    CLI::App* resign = app.add_subcommand(
        "resign", "Asks the leader of RESOURCE to step down gracefully (it revokes, releases "
                  "and holds off), waits for the new leader and prints it, its fence and the "
                  "elapsed ms. The leader must run with --allow-control.");
    resign->add_option("RESOURCE", r.resources, "The resource.")
        ->required()
        ->expected(1)
        ->type_name("");
    resign->add_option("--wait", t.wait, "How long to wait for a new leader (default 5s).")
        ->type_name("D");
    resign
        ->add_option("--hold-off", t.holdOff,
                     "How long the old leader stays out of the election (default: its ttl).")
        ->type_name("D");
    resign->add_flag("--force-delete", r.forceDelete,
                     "Without the leader's consent: release its lock by its token (for a "
                     "leader that does not allow control). Dangerous: see the warning it "
                     "prints.");
    resign->add_flag("--json", r.json, "Prints the outcome as one JSON object.");
    resign->callback([&r] { r.command = "resign"; });

    addControl(app, r, t, "stop", "Stops an agent gracefully (revoke, release, exit).");
    addControl(app, r, t, "pause", "Freezes an agent's election for DURATION (0 resumes).")
        ->add_option("DURATION", t.length, "How long, e.g. 2s.")
        ->required()
        ->type_name("");
    addControl(app, r, t, "partition", "Cuts an agent off the store for DURATION (0 ends it).")
        ->add_option("DURATION", t.length, "How long, e.g. 2s.")
        ->required()
        ->type_name("");
    CLI::App* set = addControl(app, r, t, "set", "Changes an agent's timings live.");
    set->add_option("--ttl", t.ttl, "The lock's time to live.")->type_name("D");
    set->add_option("--refresh", t.refresh, "The leader's refresh interval.")->type_name("D");
    set->add_option("--retry", t.retry, "The follower's longest wait between tries.")
        ->type_name("D");
}

void convert(Request& r, const Texts& t) {
    r.wait = durationOf("--wait", t.wait);
    if (!t.holdOff.empty())
        r.holdOff = durationOf("--hold-off", t.holdOff);
    if (!t.length.empty())
        r.length = durationOf("DURATION", t.length);
    if (!t.ttl.empty())
        r.ttl = durationOf("--ttl", t.ttl);
    if (!t.refresh.empty())
        r.refresh = durationOf("--refresh", t.refresh);
    if (!t.retry.empty())
        r.retry = durationOf("--retry", t.retry);
    if (r.command == "set" && !r.ttl && !r.refresh && !r.retry)
        throw Failure(BadUsage, "set: give at least one of --ttl, --refresh, --retry");
    if (r.id == "*" && r.resource.empty())
        throw Failure(BadUsage, r.command + " *: every elector of which resource? Add --resource");
}

int dispatch(const Request& r) {
    if (r.command == "resources")
        return resources(r);
    if (r.command == "status")
        return status(r);
    if (r.command == "watch")
        return watch(r);
    if (r.command == "resign")
        return resign(r);
    return control(r);
}

} // namespace

int run(int argc, char** argv, const char* version) {
    Request r;
    r.redis = baton::defaultRedisUrl();
    Texts t;
    bool showVersion = false;
    CLI::App app("Looks at and steers Baton's elections on a Redis server.", "baton-ctl");
    build(app, r, t, showVersion);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "baton-ctl: %s\nRun 'baton-ctl --help' for the usage.\n",
                     baton::visible(e.what(), 500).c_str());
        return BadUsage;
    }
    if (showVersion) {
        std::printf("baton-ctl %s\n", version);
        return Ok;
    }
    try {
        if (r.command.empty())
            throw Failure(BadUsage, "say what to do: resources, status, watch, resign, stop, "
                                    "pause, partition or set (baton-ctl --help)");
        convert(r, t);
        return dispatch(r);
    } catch (const Failure& e) {
        std::fprintf(stderr, "baton-ctl: %s\n", baton::visible(e.what(), 4000).c_str());
        return e.code();
    }
}

} // namespace ctl
