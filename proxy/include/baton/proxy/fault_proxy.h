#pragma once
// A TCP fault proxy for tests, the lab and baton-campaign (Toxiproxy is the model): it listens
// on a loopback port, forwards every connection to one upstream (Redis) and injects real
// network faults (latency, blackhole, reset, bandwidth) per direction while they are in force.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baton::proxy {

using ProxyClock = std::chrono::steady_clock;

/// Upstream: client -> server (the agent's commands); downstream: server -> client (replies,
/// pub/sub messages); both: each direction (latency on both is added once each way).
enum class Direction { Both, Upstream, Downstream };

enum class FaultKind {
    Latency,   ///< every byte is delivered `latency` (+- `jitter`) after it was read
    Blackhole, ///< bytes are held, not delivered (delivered in order when healed, as TCP would)
    Reset,     ///< every open connection is reset (RST) when it starts; new ones per `reset`
    Slow,      ///< at most `bytesPerSecond` are delivered per second
};

/// What a Reset fault does to connections made while it is in force.
enum class ResetMode {
    AcceptAndClose, ///< accepted, then reset at once (the client sees ECONNRESET or EOF)
    Refuse,         ///< the port stops listening (the client sees ECONNREFUSED)
};

struct Fault {
    FaultKind kind = FaultKind::Latency;
    Direction direction = Direction::Both; ///< ignored by Reset (a connection dies whole)
    std::chrono::microseconds latency{0};
    std::chrono::microseconds jitter{0}; ///< uniform in [-jitter, +jitter], never below zero
    std::uint64_t bytesPerSecond = 0;    ///< Slow; at least 1
    ResetMode reset = ResetMode::AcceptAndClose;
    /// How long it lasts; none: until heal().
    std::optional<std::chrono::milliseconds> duration;

    static Fault latencyOf(std::chrono::microseconds latency, std::chrono::microseconds jitter = {},
                           Direction direction = Direction::Both);
    static Fault blackhole(Direction direction = Direction::Both);
    static Fault resetAll(ResetMode mode = ResetMode::AcceptAndClose);
    static Fault slow(std::uint64_t bytesPerSecond, Direction direction = Direction::Both);
    /// This fault, lasting `d`.
    Fault lasting(std::chrono::milliseconds d) const;
};

using FaultId = std::uint64_t;

/// A fault in force, as active() lists it.
struct ActiveFault {
    FaultId id = 0;
    Fault fault;
    ProxyClock::time_point since;
    std::optional<ProxyClock::time_point> endsAt; ///< none: until healed
};

struct ProxyStats {
    std::uint64_t accepted = 0;        ///< connections accepted and forwarded
    std::uint64_t closedByFault = 0;   ///< connections reset by a Reset fault
    std::uint64_t upstreamFailed = 0;  ///< connections closed because the upstream refused
    std::uint64_t overLimit = 0;       ///< closed at once: 1024 connections were open
    std::uint64_t bytesUpstream = 0;   ///< delivered to the server
    std::uint64_t bytesDownstream = 0; ///< delivered to clients
    std::size_t open = 0;              ///< connections open now
};

/// One proxy, one thread (poll, non-blocking sockets: no thread per connection). Every member
/// function is thread-safe; faults take effect within a millisecond of add() and heal().
class FaultProxy {
public:
    /// Listens on 127.0.0.1:`listenPort` (0: a free port) and forwards to `upstreamHost`:
    /// `upstreamPort` (resolved once, here). Throws std::runtime_error naming what failed.
    FaultProxy(const std::string& upstreamHost, int upstreamPort, int listenPort = 0);
    ~FaultProxy(); ///< closes every connection and the port
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    int port() const;             ///< where clients connect
    std::string upstream() const; ///< "host:port"

    /// Puts `fault` in force now; throws std::invalid_argument for a fault without strength
    /// (latency 0, rate 0, negative times).
    FaultId add(const Fault& fault);
    /// Ends one fault; false if it had already ended.
    bool heal(FaultId id);
    void healAll();
    /// The faults in force now, oldest first (ended ones are gone).
    std::vector<ActiveFault> active() const;
    ProxyStats stats() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

std::string_view name(FaultKind kind);
std::string_view name(Direction direction);
/// "latency 50ms +-10ms upstream", "blackhole both", "reset (refuse)", "slow 1000 B/s both".
std::string describe(const Fault& fault);

} // namespace baton::proxy
