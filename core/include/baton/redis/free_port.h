#pragma once
// A loopback TCP port for a local server (the lab's and baton-campaign's redis-server, the
// tests' servers and proxies).

namespace baton {

/// A loopback TCP port that nothing listens on now, chosen by the kernel (a port drawn at
/// random in a fixed range collides now and then with another's); 0 when the system gives none.
/// Another process may take it before the caller binds it: a server that fails to start on it
/// is started again on a new one.
int freeLoopbackPort();

} // namespace baton
