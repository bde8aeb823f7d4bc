#pragma once
// A tiny HTTP server for Prometheus: GET /metrics answers with text from a callback.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace agent {

class MetricsServer {
public:
    /// Listens on 0.0.0.0:port; throws std::runtime_error naming the port and the reason.
    MetricsServer(int port, std::function<std::string()> render);
    ~MetricsServer();

private:
    void run();

    int m_fd = -1;
    int m_wake[2] = {-1, -1};
    std::function<std::string()> m_render;
    std::thread m_thread;
};

} // namespace agent
