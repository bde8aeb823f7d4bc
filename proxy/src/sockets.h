#pragma once
// The proxy's few socket calls (non-blocking, loopback listener, RST on close), and the fault
// vocabulary's checks and names.

#include "baton/proxy/fault_proxy.h"

#include <string>
#include <sys/socket.h>

namespace baton::proxy::detail {

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

/// Resolves host:port once; throws std::runtime_error naming both.
Address resolve(const std::string& host, int port);
/// A non-blocking listener on 127.0.0.1:port (0: free), SO_REUSEADDR; -1 with `error` set.
int listenLoopback(int port, std::string* error);
int localPort(int fd);
/// A non-blocking connect in progress (or done); -1 if it failed at once.
int connectTo(const Address& address);
/// After POLLOUT on a connecting socket: true if it connected.
bool connected(int fd);
/// TCP_NODELAY: a proxy must not add Nagle's delay to small commands.
void tuneSocket(int fd);
/// Closes `fd` (if >= 0); `reset` sends RST instead of FIN, as a dropped connection does.
void closeSocket(int fd, bool reset);

int makeEvent();
void signalEvent(int fd);
void drainEvent(int fd);

/// Throws std::invalid_argument for a fault that would do nothing or cannot be.
void validate(const Fault& fault);

} // namespace baton::proxy::detail
