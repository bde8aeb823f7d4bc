#pragma once
// The Redis store's subscription connection, on a thread of its own (used by redis_store.cpp).

#include "redis_connection.h"

#include "baton/store/subscriber_list.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <set>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace baton::redis_detail {

// The subscription connection, on a thread of its own. Other threads ask it to (un)subscribe
// through the wanted set and an eventfd; it answers by marking channels confirmed.
class SubscriberThread {
public:
    /// `where` says, at each connect, which server to subscribe on (with Sentinel: the primary
    /// now, or a sentinel); it may throw StoreError, which counts as a failed connect.
    /// `sharded`: Cluster's sharded pub/sub (SSUBSCRIBE, on the primary of the channels' slot).
    SubscriberThread(std::function<RedisUrl()> where, const RedisOptions& options,
                     Peer peer = Peer::Server, bool sharded = false)
        : m_where(std::move(where))
        , m_options(options)
        , m_peer(peer)
        , m_sharded(sharded)
        , m_wakeFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
        if (m_wakeFd < 0)
            throw StoreError(std::string("cannot create an eventfd: ") + std::strerror(errno));
        m_thread = std::thread([this] { run(); });
    }
    ~SubscriberThread() {
        {
            std::lock_guard guard(m_mutex);
            m_quit = true;
        }
        wake();
        m_thread.join();
        ::close(m_wakeFd);
    }

    Subscription add(const std::string& channel, std::function<void(const std::string&)> fn) {
        std::unique_lock lock(m_mutex);
        auto entry = m_entries.add(channel, std::move(fn));
        wake();
        // Wait until the server confirms, so that no notice sent after subscribe() returns is
        // missed; give up after one connection's worth of time (it is retried on its own).
        const auto failures = m_connectFailures;
        m_cv.wait_for(lock, m_options.connectTimeout + m_options.commandTimeout, [&] {
            return m_confirmed.count(channel) > 0 || m_quit || m_connectFailures != failures;
        });
        lock.unlock();
        return Subscription([this, channel, entry] {
            m_entries.cancel(channel, entry);
            wake();
        });
    }

    /// Drops the connection and makes a new one at once (the primary moved): what was
    /// subscribed is subscribed again there.
    void reconnect() {
        {
            std::lock_guard guard(m_mutex);
            m_reconnect = true;
        }
        wake();
    }

private:
    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wakeFd, &one, sizeof one);
    }

    // The connection as the thread sees it; only the thread touches it.
    struct Link {
        Context ctx;
        std::set<std::string> sent; // channels we asked the server for
        Duration backoff{};
        TimePoint nextTry;
        // A half-open connection shows no error until TCP keepalive gives up (minutes): ping
        // when the line has been quiet, and drop it when the pong does not come in time.
        TimePoint lastHeard;
        TimePoint pingSent = TimePoint::max(); // max: no ping out
    };

    void run() {
        Link link;
        link.backoff = m_options.reconnectBackoffMin;
        link.nextTry = SteadyClock::instance().now();
        link.lastHeard = link.nextTry;
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            if (m_reconnect) {
                m_reconnect = false;
                link.ctx.reset();
                m_confirmed.clear();
                link.backoff = m_options.reconnectBackoffMin;
                link.nextTry = SteadyClock::instance().now();
            }
            if (m_refused) {
                m_refused = false; // not the slot's primary (MOVED): ask again after a pause
                drop(link);
            }
            const std::set<std::string> wanted = m_entries.channels();
            if (!link.ctx && !wanted.empty() && SteadyClock::instance().now() >= link.nextTry) {
                lock.unlock();
                connect(link);
                lock.lock();
                if (!link.ctx) {
                    ++m_connectFailures; // nobody waits for a confirmation that cannot come
                    m_cv.notify_all();
                }
                link.sent.clear();
                m_confirmed.clear();
                continue;
            }
            if (link.ctx && !sync(link, wanted))
                continue;
            lock.unlock();
            const bool failed = await(link, wanted.empty());
            lock.lock();
            if (failed)
                drop(link);
        }
    }

    // TimePoint::max() / 2: never (TCP keep-alive probes the line instead).
    Duration pingEvery() const {
        if (m_options.tcpKeepAlive)
            return TimePoint::max().time_since_epoch() / 2;
        return std::max<Duration>(m_options.keepAlive, m_options.commandTimeout);
    }

    // Runs without m_mutex: connecting may take up to the connect timeout.
    void connect(Link& link) {
        try {
            link.ctx = connectTo(m_where(), m_options, false, m_peer);
            if (m_options.tcpKeepAlive && link.ctx->connection_type == REDIS_CONN_TCP)
                keepAlive(link.ctx->fd);
            link.backoff = m_options.reconnectBackoffMin;
            link.lastHeard = SteadyClock::instance().now();
            link.pingSent = TimePoint::max();
        } catch (const StoreError&) {
            backOff(link);
        }
    }

    // TCP keep-alive: idle for keepAlive (whole seconds, at least 3), then 3 probes a third of
    // that apart. (hiredis 0.14's redisEnableKeepAlive has a fixed 15 s.)
    void keepAlive(int fd) const {
        const int idle = static_cast<int>(std::max<std::int64_t>(
            3, std::chrono::ceil<std::chrono::seconds>(m_options.keepAlive).count()));
        const int on = 1, every = idle / 3, probes = 3;
        ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &every, sizeof every);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
    }

    // Asks the server for the channels now `wanted` and pings a quiet line; false when the
    // connection was dropped (a pong overdue, a send failed). Runs under m_mutex.
    bool sync(Link& link, const std::set<std::string>& wanted) {
        std::vector<std::string> subscribe{m_sharded ? "SSUBSCRIBE" : "SUBSCRIBE"},
            unsubscribe{m_sharded ? "SUNSUBSCRIBE" : "UNSUBSCRIBE"};
        for (const auto& c : wanted)
            if (!link.sent.count(c))
                subscribe.push_back(c);
        for (const auto& c : link.sent)
            if (!wanted.count(c))
                unsubscribe.push_back(c);
        const TimePoint now = SteadyClock::instance().now();
        std::vector<std::string> ping;
        if (link.pingSent == TimePoint::max() && now >= link.lastHeard + pingEvery()) {
            ping = {"PING", ""};
            link.pingSent = now;
        }
        if (link.pingSent != TimePoint::max() && now >= link.pingSent + m_options.commandTimeout) {
            drop(link); // no pong: the connection is dead
            return false;
        }
        redisContext* c = link.ctx.get();
        if (!send(c, subscribe) || !send(c, unsubscribe) || !send(c, ping)) {
            drop(link);
            return false;
        }
        // Not confirmed from now on: a subscribe() for it must wait for the new SUBSCRIBE's
        // answer, not take the old one's.
        for (std::size_t i = 1; i < unsubscribe.size(); ++i)
            m_confirmed.erase(unsubscribe[i]);
        link.sent = wanted;
        return true;
    }

    // Waits for the server, a wake-up or the next timer, and handles the replies that came;
    // true when the connection failed. Runs without m_mutex: callbacks must not run under it.
    bool await(Link& link, bool nothingWanted) {
        pollfd fds[2] = {{m_wakeFd, POLLIN, 0}, {link.ctx ? link.ctx->fd : -1, POLLIN, 0}};
        ::poll(fds, link.ctx ? 2 : 1, pollTimeout(link, nothingWanted));
        if (fds[0].revents & POLLIN) {
            std::uint64_t value;
            [[maybe_unused]] auto n = ::read(m_wakeFd, &value, sizeof value);
        }
        std::vector<Reply> replies;
        bool failed = false;
        if (link.ctx && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (redisBufferRead(link.ctx.get()) != REDIS_OK) {
                failed = true;
            } else {
                void* r = nullptr;
                while (redisGetReplyFromReader(link.ctx.get(), &r) == REDIS_OK && r)
                    replies.emplace_back(static_cast<redisReply*>(r));
                link.lastHeard = SteadyClock::instance().now(); // any traffic proves it alive
                link.pingSent = TimePoint::max();
            }
        }
        for (const auto& r : replies)
            handle(r.get());
        return failed;
    }

    // Milliseconds to the next reconnect or ping timer, -1 for none.
    int pollTimeout(const Link& link, bool nothingWanted) const {
        TimePoint wakeAt = TimePoint::max();
        if (!link.ctx && !nothingWanted)
            wakeAt = link.nextTry;
        else if (link.ctx)
            wakeAt = link.pingSent != TimePoint::max() ? link.pingSent + m_options.commandTimeout
                                                       : link.lastHeard + pingEvery();
        if (wakeAt == TimePoint::max())
            return -1;
        return static_cast<int>(std::clamp<std::int64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(wakeAt - SteadyClock::instance().now())
                .count(),
            1, 60'000));
    }

    bool send(redisContext* c, const std::vector<std::string>& args) {
        if (args.size() < 2)
            return true;
        std::vector<const char*> argv;
        std::vector<size_t> lens;
        for (const auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
            REDIS_OK)
            return false;
        int done = 0;
        while (!done)
            if (redisBufferWrite(c, &done) != REDIS_OK)
                return false;
        return true;
    }

    void drop(Link& link) {
        link.ctx.reset();
        m_confirmed.clear();
        backOff(link);
    }

    void backOff(Link& link) {
        link.nextTry = SteadyClock::instance().now() + link.backoff;
        link.backoff = std::min(link.backoff * 2, m_options.reconnectBackoffMax);
    }

    // Runs without m_mutex held: callbacks must not run under it.
    void handle(const redisReply* r) {
        if (m_sharded && r->type == REDIS_REPLY_ERROR) {
            std::lock_guard guard(m_mutex);
            m_refused = true;
            return;
        }
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
            r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
            return;
        std::string kind = replyText(r->element[0]);
        const std::string channel = replyText(r->element[1]);
        if (m_sharded && kind.size() > 1 && kind[0] == 's')
            kind.erase(0, 1); // ssubscribe, sunsubscribe, smessage
        if (m_sharded && kind == "unsubscribe" && m_entries.channels().count(channel)) {
            // Not asked for: the slot moved to another node (a resharding, a failover), which
            // ends its subscriptions here. Subscribe again where it is now.
            std::lock_guard guard(m_mutex);
            m_reconnect = true;
            return;
        }
        if (kind == "subscribe" || kind == "unsubscribe") {
            {
                std::lock_guard guard(m_mutex);
                if (kind == "subscribe")
                    m_confirmed.insert(channel);
                else
                    m_confirmed.erase(channel);
            }
            m_cv.notify_all();
            return;
        }
        // Baton never publishes more than 64 KiB: a larger message is somebody else's, and is
        // not copied to every subscriber.
        if (kind != "message" || r->element[2]->type != REDIS_REPLY_STRING ||
            r->element[2]->len > 64 * 1024)
            return;
        m_entries.deliver(channel, replyText(r->element[2]));
    }

    const std::function<RedisUrl()> m_where;
    const RedisOptions m_options;
    const Peer m_peer;
    const bool m_sharded;
    const int m_wakeFd;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    SubscriberList<std::string> m_entries; // the channels wanted, and who gets their messages
    std::set<std::string> m_confirmed;
    std::uint64_t m_connectFailures = 0;
    bool m_quit = false;
    bool m_reconnect = false;
    bool m_refused = false;
    std::thread m_thread;
};

} // namespace baton::redis_detail
