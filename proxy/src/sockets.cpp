#include "sockets.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <unistd.h>

namespace baton::proxy {

namespace detail {

Address resolve(const std::string& host, int port) {
    if (port < 1 || port > 65535)
        throw std::runtime_error("fault proxy: upstream port " + std::to_string(port) +
                                 " is not a port (1-65535)");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (rc != 0 || !found)
        throw std::runtime_error("fault proxy: cannot resolve upstream " + host + ":" +
                                 std::to_string(port) + ": " + ::gai_strerror(rc));
    Address a;
    std::memcpy(&a.storage, found->ai_addr, found->ai_addrlen);
    a.length = found->ai_addrlen;
    ::freeaddrinfo(found);
    return a;
}

int listenLoopback(int port, std::string* error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (error)
            *error = std::strerror(errno);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd, 128) < 0) {
        if (error)
            *error = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

int localPort(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

int connectTo(const Address& address) {
    const int fd =
        ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    tuneSocket(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0 &&
        errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool connected(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    return ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

void tuneSocket(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void closeSocket(int fd, bool reset) {
    if (fd < 0)
        return;
    if (reset) {
        const linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd);
}

int makeEvent() {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        throw std::runtime_error(std::string("fault proxy: eventfd: ") + std::strerror(errno));
    return fd;
}

void signalEvent(int fd) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd, &one, sizeof one);
}

void drainEvent(int fd) {
    std::uint64_t value;
    [[maybe_unused]] const auto n = ::read(fd, &value, sizeof value);
}

void validate(const Fault& f) {
    if (f.duration && f.duration->count() <= 0)
        throw std::invalid_argument("fault proxy: a fault's duration must be above zero");
    if (f.kind == FaultKind::Latency && (f.latency.count() < 0 || f.jitter.count() < 0 ||
                                         f.latency.count() + f.jitter.count() == 0))
        throw std::invalid_argument(
            "fault proxy: latency needs a latency or jitter above zero (e.g. 50ms)");
    if (f.kind == FaultKind::Slow && f.bytesPerSecond == 0)
        throw std::invalid_argument("fault proxy: slow needs a rate of at least 1 byte/s");
}

} // namespace detail

Fault Fault::latencyOf(std::chrono::microseconds latency, std::chrono::microseconds jitter,
                       Direction direction) {
    Fault f;
    f.kind = FaultKind::Latency;
    f.latency = latency;
    f.jitter = jitter;
    f.direction = direction;
    return f;
}

Fault Fault::blackhole(Direction direction) {
    Fault f;
    f.kind = FaultKind::Blackhole;
    f.direction = direction;
    return f;
}

Fault Fault::resetAll(ResetMode mode) {
    Fault f;
    f.kind = FaultKind::Reset;
    f.reset = mode;
    return f;
}

Fault Fault::slow(std::uint64_t bytesPerSecond, Direction direction) {
    Fault f;
    f.kind = FaultKind::Slow;
    f.bytesPerSecond = bytesPerSecond;
    f.direction = direction;
    return f;
}

Fault Fault::lasting(std::chrono::milliseconds d) const {
    Fault f = *this;
    f.duration = d;
    return f;
}

std::string_view name(FaultKind kind) {
    switch (kind) {
    case FaultKind::Latency:
        return "latency";
    case FaultKind::Blackhole:
        return "blackhole";
    case FaultKind::Reset:
        return "reset";
    case FaultKind::Slow:
        return "slow";
    }
    return "?";
}

std::string_view name(Direction direction) {
    switch (direction) {
    case Direction::Both:
        return "both";
    case Direction::Upstream:
        return "upstream";
    case Direction::Downstream:
        return "downstream";
    }
    return "?";
}

namespace {

std::string micros(std::chrono::microseconds us) {
    if (us.count() % 1000 == 0)
        return std::to_string(us.count() / 1000) + "ms";
    return std::to_string(us.count()) + "us";
}

} // namespace

std::string describe(const Fault& f) {
    std::string out(name(f.kind));
    switch (f.kind) {
    case FaultKind::Latency:
        out += " " + micros(f.latency);
        if (f.jitter.count())
            out += " +-" + micros(f.jitter);
        break;
    case FaultKind::Slow:
        out += " " + std::to_string(f.bytesPerSecond) + " B/s";
        break;
    case FaultKind::Reset:
        return out + (f.reset == ResetMode::Refuse ? " (refuse)" : " (accept and close)");
    case FaultKind::Blackhole:
        break;
    }
    return out + " " + std::string(name(f.direction));
}

} // namespace baton::proxy
