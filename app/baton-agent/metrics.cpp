#include "metrics.h"

#include <httplib.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <sys/socket.h>

namespace agent {

namespace {

// httplib's own pool has a fixed number of workers, and a worker stays with its connection
// until the client sends a request or the keep-alive timeout passes: eight idle connections
// would hold a scrape back for seconds. This pool starts a worker whenever none is free (up to
// kMaxConnections) and lets a worker go after a while without work.
class ElasticPool : public httplib::TaskQueue {
public:
    explicit ElasticPool(std::size_t max)
        : m_max(max) {}
    ~ElasticPool() override { shutdown(); }

    void enqueue(std::function<void()> fn) override {
        std::lock_guard lock(m_mutex);
        joinRetired();
        m_jobs.push_back(std::move(fn));
        // Every queued job needs an idle worker of its own: one woken but not yet running still
        // counts as idle, and two jobs must not wait for it.
        if (m_jobs.size() > m_idle && m_workers.size() < m_max) {
            m_workers.emplace_back();
            m_workers.back() =
                std::thread([this, self = std::prev(m_workers.end())] { work(self); });
        } else {
            m_wake.notify_one();
        }
    }

    void shutdown() override {
        std::unique_lock lock(m_mutex);
        m_down = true;
        m_wake.notify_all();
        std::list<std::thread> workers = std::move(m_workers);
        lock.unlock();
        for (std::thread& t : workers)
            t.join();
        lock.lock();
        joinRetired();
    }

private:
    using Worker = std::list<std::thread>::iterator;

    void work(Worker self) {
        std::unique_lock lock(m_mutex);
        while (true) {
            ++m_idle;
            const bool woken = m_wake.wait_for(lock, std::chrono::seconds(10),
                                               [&] { return m_down || !m_jobs.empty(); });
            --m_idle;
            if (m_jobs.empty() && (m_down || !woken)) {
                // Retiring: whoever takes the lock next joins this thread. After shutdown()
                // moved the list away, it joins this thread itself.
                if (!m_down)
                    m_retired.splice(m_retired.end(), m_workers, self);
                return;
            }
            std::function<void()> job = std::move(m_jobs.front());
            m_jobs.pop_front();
            lock.unlock();
            job();
            lock.lock();
        }
    }

    void joinRetired() {
        for (std::thread& t : m_retired)
            t.join();
        m_retired.clear();
    }

    const std::size_t m_max;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_jobs;
    std::list<std::thread> m_workers, m_retired;
    std::size_t m_idle = 0;
    bool m_down = false;
};

} // namespace

MetricsServer::MetricsServer(const std::string& address, int port,
                             std::function<std::string()> render, std::function<Health()> health)
    : m_server(std::make_unique<httplib::Server>()) {
    httplib::Server& s = *m_server;
    s.new_task_queue = [] { return new ElasticPool(kMaxConnections); };
    // A scraper sends its request at once: a connection that says nothing for a second, or
    // dribbles its request, gives its worker back.
    s.set_keep_alive_timeout(1);
    s.set_read_timeout(1, 0);
    s.set_write_timeout(5, 0);
    s.Get("/metrics", [render](const httplib::Request&, httplib::Response& res) {
        res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    s.Get("/healthz", [health](const httplib::Request&, httplib::Response& res) {
        const Health h = health();
        res.status = h.ok ? 200 : 503;
        res.set_content(h.ok ? "ok\n" : h.reason + "\n", "text/plain; charset=utf-8");
    });
    s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.status == 404)
            res.set_content("not found: try /metrics or /healthz\n", "text/plain");
    });
    // httplib listens with a backlog of 5: a burst of new connections while the accept thread
    // waits for a core would see SYNs dropped and retried a second later. Listening again on
    // the same socket only enlarges the queue.
    int listening = -1;
    s.set_socket_options([&listening](socket_t sock) {
        httplib::default_socket_options(sock);
        listening = sock;
    });
    if (!s.bind_to_port(address, port))
        throw std::runtime_error("--metrics-address " + address + " --metrics-port " +
                                 std::to_string(port) + ": cannot listen: " + std::strerror(errno) +
                                 " (choose another port or address)");
    s.set_socket_options(httplib::default_socket_options);
    if (listening >= 0)
        ::listen(listening, SOMAXCONN);
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
    m_server->stop();
    m_thread.join();
}

} // namespace agent
