#pragma once
// The agent's HTTP endpoint for Prometheus (cpp-httplib): GET /metrics and GET /healthz, 404
// elsewhere, each connection on a worker of its own so idle clients never delay a scrape.

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace agent {

/// What /healthz answers: healthy (200 "ok") or not (503 and the reason).
struct Health {
    bool ok = false;
    std::string reason;
};

class MetricsServer {
public:
    /// Listens on address:port; throws std::runtime_error naming both and the reason.
    MetricsServer(const std::string& address, int port, std::function<std::string()> render,
                  std::function<Health()> health);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    /// Connections served at once, at most; more wait for a worker.
    static constexpr std::size_t kMaxConnections = 1024;

private:
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
};

} // namespace agent
