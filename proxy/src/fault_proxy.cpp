// The proxy's thread: one poll loop over every socket. The control API only changes the fault
// table under the mutex and wakes the loop (an eventfd); the loop reads the table once a turn.

#include "baton/proxy/fault_proxy.h"

#include "pipe.h"
#include "sockets.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <utility>

namespace baton::proxy {

using detail::Effects;
using detail::Pipe;
using detail::TimePoint;

namespace {

constexpr std::size_t kMaxConnections = 1024;

struct Connection {
    int client = -1;
    int server = -1;
    bool connecting = true;
    Pipe up;   // client -> server
    Pipe down; // server -> client
};

/// Every fault in force, combined for one turn of the loop.
struct Combined {
    Effects up;
    Effects down;
    bool resetting = false;
    bool refusing = false;
};

void combine(Effects& e, const Fault& f) {
    switch (f.kind) {
    case FaultKind::Latency:
        e.latency += f.latency;
        e.jitter += f.jitter;
        break;
    case FaultKind::Blackhole:
        e.blackhole = true;
        break;
    case FaultKind::Slow:
        e.bytesPerSecond =
            e.bytesPerSecond ? std::min(e.bytesPerSecond, f.bytesPerSecond) : f.bytesPerSecond;
        break;
    case FaultKind::Reset:
        break;
    }
}

} // namespace

struct FaultProxy::Impl {
    std::string upstreamHost;
    int upstreamPort = 0;
    detail::Address upstream;
    int listenPort = 0;
    int listener = -1;
    int wakeFd = -1;
    std::thread thread;
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex; // guards the members below
    std::map<FaultId, ActiveFault> faults;
    FaultId nextId = 1;
    bool resetRequested = false;
    ProxyStats stats;

    std::list<Connection> connections; // the loop's own
    std::mt19937_64 random{0x5eed};

    void wake() const { detail::signalEvent(wakeFd); }
    Combined turn(TimePoint now, TimePoint& wakeAt, bool& resetNow);
    void run();
    Combined refresh(TimePoint now, TimePoint& wakeAt);
    void pollSet(std::vector<pollfd>& fds) const;
    void acceptAll(const Combined& c);
    bool resetInForce();
    void close(Connection& c, bool reset);
    bool serve(Connection& c, short clientEvents, short serverEvents, const Combined& fx,
               TimePoint now, TimePoint& wakeAt);
    bool flushBoth(Connection& c, const Combined& fx, TimePoint now, TimePoint& wakeAt);
    void manageListener(bool refusing);
};

Combined FaultProxy::Impl::turn(TimePoint now, TimePoint& wakeAt, bool& resetNow) {
    std::lock_guard lock(mutex);
    Combined c;
    for (auto it = faults.begin(); it != faults.end();) {
        const ActiveFault& a = it->second;
        if (a.endsAt && *a.endsAt <= now) {
            it = faults.erase(it);
            continue;
        }
        if (a.endsAt)
            wakeAt = std::min(wakeAt, *a.endsAt);
        const Fault& f = a.fault;
        if (f.kind == FaultKind::Reset) {
            c.resetting = true;
            c.refusing = c.refusing || f.reset == ResetMode::Refuse;
        }
        if (f.direction != Direction::Downstream)
            combine(c.up, f);
        if (f.direction != Direction::Upstream)
            combine(c.down, f);
        ++it;
    }
    resetNow = std::exchange(resetRequested, false);
    stats.open = connections.size();
    return c;
}

void FaultProxy::Impl::close(Connection& c, bool reset) {
    detail::closeSocket(c.client, reset);
    detail::closeSocket(c.server, reset);
    c.client = c.server = -1;
}

void FaultProxy::Impl::manageListener(bool refusing) {
    if (refusing && listener >= 0) {
        detail::closeSocket(listener, false);
        listener = -1;
    } else if (!refusing && listener < 0) {
        // Back on the same port; if something took it meanwhile, try again next turn.
        listener = detail::listenLoopback(listenPort, nullptr);
    }
}

bool FaultProxy::Impl::resetInForce() {
    const auto now = ProxyClock::now();
    std::lock_guard lock(mutex);
    return std::any_of(faults.begin(), faults.end(), [&](const auto& entry) {
        const ActiveFault& a = entry.second;
        return a.fault.kind == FaultKind::Reset && (!a.endsAt || *a.endsAt > now);
    });
}

void FaultProxy::Impl::acceptAll(const Combined& fx) {
    while (listener >= 0) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; // EAGAIN, or a transient error (EMFILE): the next turn tries again
        // `fx` may be older than this connection: a reset healed after it was computed must
        // not close a client that connected after the heal, so ask again now.
        const bool resetting = fx.resetting && resetInForce();
        if (resetting || connections.size() >= kMaxConnections) {
            {
                std::lock_guard lock(mutex); // counted before the client can see it
                ++(resetting ? stats.closedByFault : stats.overLimit);
            }
            detail::closeSocket(fd, true);
            continue;
        }
        detail::tuneSocket(fd);
        Connection c;
        c.client = fd;
        c.server = detail::connectTo(upstream);
        if (c.server < 0) {
            {
                std::lock_guard lock(mutex);
                ++stats.upstreamFailed;
            }
            detail::closeSocket(fd, true);
            continue;
        }
        connections.push_back(std::move(c));
        std::lock_guard lock(mutex);
        ++stats.accepted;
    }
}

bool FaultProxy::Impl::flushBoth(Connection& c, const Combined& fx, TimePoint now,
                                 TimePoint& wakeAt) {
    std::uint64_t up = 0;
    std::uint64_t down = 0;
    bool ok = c.down.flush(c.client, now, fx.down, wakeAt, down);
    if (ok && !c.connecting)
        ok = c.up.flush(c.server, now, fx.up, wakeAt, up);
    if (up || down) {
        std::lock_guard lock(mutex);
        stats.bytesUpstream += up;
        stats.bytesDownstream += down;
    }
    return ok && !(c.up.finished() && c.down.finished());
}

/// One connection's turn; false when it is over.
bool FaultProxy::Impl::serve(Connection& c, short clientEvents, short serverEvents,
                             const Combined& fx, TimePoint now, TimePoint& wakeAt) {
    if (c.connecting && (serverEvents & (POLLOUT | POLLERR | POLLHUP))) {
        if (!detail::connected(c.server)) {
            std::lock_guard lock(mutex);
            ++stats.upstreamFailed;
            return false;
        }
        c.connecting = false;
    }
    if ((clientEvents & (POLLIN | POLLHUP | POLLERR)) &&
        c.up.readFrom(c.client, now, fx.up, random) == Pipe::Read::Error)
        return false;
    if (!c.connecting && (serverEvents & (POLLIN | POLLHUP | POLLERR)) &&
        c.down.readFrom(c.server, now, fx.down, random) == Pipe::Read::Error)
        return false;
    return flushBoth(c, fx, now, wakeAt);
}

Combined FaultProxy::Impl::refresh(TimePoint now, TimePoint& wakeAt) {
    bool resetNow = false;
    const Combined fx = turn(now, wakeAt, resetNow);
    if (resetNow && !connections.empty()) {
        {
            std::lock_guard lock(mutex); // counted before the clients can see it
            stats.closedByFault += connections.size();
        }
        for (auto& c : connections)
            close(c, true);
        connections.clear();
    }
    manageListener(fx.refusing);
    if (!fx.refusing && listener < 0)
        wakeAt = std::min(wakeAt, now + std::chrono::milliseconds(100));
    return fx;
}

void FaultProxy::Impl::pollSet(std::vector<pollfd>& fds) const {
    fds.clear();
    fds.push_back({wakeFd, POLLIN, 0});
    fds.push_back({listener, POLLIN, 0}); // -1 while refusing: poll skips it
    for (const auto& c : connections) {
        const short clientEvents = static_cast<short>((c.up.wantsRead() ? POLLIN : 0) |
                                                      (c.down.wantsWrite() ? POLLOUT : 0));
        const bool readServer = !c.connecting && c.down.wantsRead();
        const bool writeServer = c.connecting || c.up.wantsWrite();
        const short serverEvents =
            static_cast<short>((readServer ? POLLIN : 0) | (writeServer ? POLLOUT : 0));
        fds.push_back({c.client, clientEvents, 0});
        fds.push_back({c.server, serverEvents, 0});
    }
}

void FaultProxy::Impl::run() {
    std::vector<pollfd> fds;
    while (!stopping.load()) {
        TimePoint now = ProxyClock::now();
        TimePoint wakeAt = now + std::chrono::milliseconds(250);
        Combined fx = refresh(now, wakeAt);
        for (auto it = connections.begin(); it != connections.end();) {
            if (flushBoth(*it, fx, now, wakeAt)) {
                ++it;
            } else {
                close(*it, false);
                it = connections.erase(it);
            }
        }
        pollSet(fds);
        const auto wait = std::max(wakeAt - now, ProxyClock::duration(0));
        const timespec ts{static_cast<time_t>(wait.count() / 1000000000),
                          static_cast<long>(wait.count() % 1000000000)};
        if (::ppoll(fds.data(), fds.size(), &ts, nullptr) < 0 && errno != EINTR)
            continue;
        if (fds[0].revents) {
            // A control call: the faults changed, so this turn's readiness is served in the
            // next one (poll is level-triggered: nothing is lost), under the new faults.
            detail::drainEvent(wakeFd);
            continue;
        }
        now = ProxyClock::now();
        wakeAt = now + std::chrono::milliseconds(250);
        fx = refresh(now, wakeAt); // a fault may have ended during the wait
        if (fds.size() != 2 + 2 * connections.size())
            continue; // a reset closed them all
        auto it = connections.begin();
        for (std::size_t i = 0; it != connections.end(); ++i) {
            if (serve(*it, fds[2 + 2 * i].revents, fds[3 + 2 * i].revents, fx, now, wakeAt)) {
                ++it;
            } else {
                close(*it, false);
                it = connections.erase(it);
            }
        }
        if (fds[1].revents && fds[1].fd == listener)
            acceptAll(fx);
    }
    for (auto& c : connections)
        close(c, false);
    connections.clear();
}

FaultProxy::FaultProxy(const std::string& upstreamHost, int upstreamPort, int listenPort)
    : m_impl(std::make_unique<Impl>()) {
    Impl& m = *m_impl;
    m.upstreamHost = upstreamHost;
    m.upstreamPort = upstreamPort;
    m.upstream = detail::resolve(upstreamHost, upstreamPort); // throws
    std::string error;
    m.listener = detail::listenLoopback(listenPort, &error);
    if (m.listener < 0)
        throw std::runtime_error(
            "fault proxy: cannot listen on 127.0.0.1:" + std::to_string(listenPort) + ": " + error);
    m.listenPort = detail::localPort(m.listener);
    m.wakeFd = detail::makeEvent();
    m.thread = std::thread([&m] { m.run(); });
}

FaultProxy::~FaultProxy() {
    m_impl->stopping = true;
    m_impl->wake();
    m_impl->thread.join();
    detail::closeSocket(m_impl->listener, false);
    ::close(m_impl->wakeFd);
}

int FaultProxy::port() const {
    return m_impl->listenPort;
}

std::string FaultProxy::upstream() const {
    return m_impl->upstreamHost + ":" + std::to_string(m_impl->upstreamPort);
}

FaultId FaultProxy::add(const Fault& fault) {
    detail::validate(fault); // throws std::invalid_argument
    const auto now = ProxyClock::now();
    FaultId id;
    {
        std::lock_guard lock(m_impl->mutex);
        id = m_impl->nextId++;
        ActiveFault a{id, fault, now, std::nullopt};
        if (fault.duration)
            a.endsAt = now + *fault.duration;
        m_impl->faults.emplace(id, a);
        if (fault.kind == FaultKind::Reset)
            m_impl->resetRequested = true;
    }
    m_impl->wake();
    return id;
}

bool FaultProxy::heal(FaultId id) {
    bool found;
    {
        std::lock_guard lock(m_impl->mutex);
        auto it = m_impl->faults.find(id);
        found = it != m_impl->faults.end() &&
                (!it->second.endsAt || *it->second.endsAt > ProxyClock::now());
        if (it != m_impl->faults.end())
            m_impl->faults.erase(it);
    }
    m_impl->wake();
    return found;
}

void FaultProxy::healAll() {
    {
        std::lock_guard lock(m_impl->mutex);
        m_impl->faults.clear();
    }
    m_impl->wake();
}

std::vector<ActiveFault> FaultProxy::active() const {
    const auto now = ProxyClock::now();
    std::lock_guard lock(m_impl->mutex);
    std::vector<ActiveFault> out;
    for (const auto& [id, a] : m_impl->faults)
        if (!a.endsAt || *a.endsAt > now)
            out.push_back(a);
    return out;
}

ProxyStats FaultProxy::stats() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->stats;
}

} // namespace baton::proxy
