#include "metrics.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace agent {

MetricsServer::MetricsServer(int port, std::function<std::string()> render)
    : m_render(std::move(render)) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_fd, 16) != 0 || ::pipe2(m_wake, O_CLOEXEC) != 0) {
        const std::string why = std::strerror(errno);
        if (m_fd >= 0)
            ::close(m_fd);
        throw std::runtime_error("--metrics-port " + std::to_string(port) +
                                 ": cannot listen: " + why + " (choose another port)");
    }
    m_thread = std::thread([this] { run(); });
}

MetricsServer::~MetricsServer() {
    [[maybe_unused]] auto n = ::write(m_wake[1], "x", 1);
    m_thread.join();
    ::close(m_fd);
    ::close(m_wake[0]);
    ::close(m_wake[1]);
}

void MetricsServer::run() {
    while (true) {
        pollfd fds[2] = {{m_wake[0], POLLIN, 0}, {m_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR)
            return;
        if (fds[0].revents)
            return;
        if (!(fds[1].revents & POLLIN))
            continue;
        const int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        timeval tv{1, 0};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[2048];
        const ssize_t n = ::recv(client, buf, sizeof buf - 1, 0);
        std::string request(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        std::string status = "404 Not Found", body = "try /metrics\n";
        if (request.rfind("GET /metrics", 0) == 0) {
            status = "200 OK";
            body = m_render();
        }
        const std::string response = "HTTP/1.0 " + status +
                                     "\r\nContent-Type: text/plain; version=0.0.4\r\n"
                                     "Content-Length: " +
                                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                     body;
        [[maybe_unused]] auto sent = ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
        ::close(client);
    }
}

} // namespace agent
