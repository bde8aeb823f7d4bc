#pragma once
// The simulator's checker on real runs: baton-agent's JSON event lines (and the faults that were
// injected) turned into a History, so that check() judges real processes as it judges simulated
// ones: overlapping terms, fence order, time without a leader, failovers by cause.
//
// Times are the agents' own `t` and `deadline` (true Unix ms, whatever --clock-rate says), so
// the lines of agents on one host share one time line. Across hosts they are only as comparable
// as the hosts' clocks are synchronised: an offset of d shifts one agent's terms by d and can
// hide or invent an overlap of d. Agents must print their extends (baton-agent --verbose): a
// term's deadline moves on only with them.

#include "baton/sim/checker.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace baton {

/// Time points of real runs: Unix ms on the checker's time line (nanoseconds since 1970).
TimePoint fromUnixMs(double ms);
double toUnixMs(TimePoint t);

class RealHistory {
public:
    explicit RealHistory(std::string resource);

    /// One line printed by process `incarnation` of an agent (any number, distinct per process
    /// of one id: a restart is a new one). Lines of other resources, release notices and what
    /// is not an event are left out; false, and a note in problems(), for a line that is not
    /// JSON of an event.
    bool addLine(std::uint64_t incarnation, std::string_view line);
    /// A fault as it struck `identity` (Unix ms; `endMs` == `atMs`: an instant). A crash ends
    /// the term of the process that led, as a SIGKILL does (it prints nothing).
    void addFault(const std::string& identity, FaultKind kind, double atMs, double endMs,
                  bool wasLeader, std::string detail = {});

    /// Everything so far, from `startMs` to `endMs`, events and faults in time order.
    History history(double startMs, double endMs) const;
    /// check(history(startMs, endMs)).
    Report check(double startMs, double endMs) const;

    /// Lines that could not be read, the first 20 (with the reason), and how many in all.
    const std::vector<std::string>& problems() const { return m_problems; }
    std::size_t badLines() const { return m_badLines; }
    std::size_t lines() const { return m_lines; }
    std::size_t events() const { return m_events.size(); }
    /// The electors seen, in the order of their first line or fault.
    std::vector<std::string> identities() const;

private:
    int elector(const std::string& identity);

    std::string m_resource;
    std::map<std::string, int> m_index;
    std::vector<std::string> m_identities;
    std::vector<ElectorEvent> m_events;
    std::vector<FaultRecord> m_faults;
    std::vector<std::string> m_problems;
    std::size_t m_lines = 0;
    std::size_t m_badLines = 0;
};

} // namespace baton
