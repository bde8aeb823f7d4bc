#pragma once
// The Redis store's subscription connection, on a thread of its own (used by redis_store.cpp).

#include "redis_connection.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <poll.h>
#include <set>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace baton::redis_detail {

// The subscription connection, on a thread of its own. Other threads ask it to (un)subscribe
// through the wanted set and an eventfd; it answers by marking channels confirmed.
class SubscriberThread {
public:
    SubscriberThread(const RedisUrl& url, const RedisOptions& options)
        : m_url(url)
        , m_options(options)
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
        auto entry = std::make_shared<Entry>();
        entry->fn = std::move(fn);
        std::unique_lock lock(m_mutex);
        m_entries.emplace(channel, entry);
        wake();
        // Wait until the server confirms, so that no notice sent after subscribe() returns is
        // missed; give up after one connection's worth of time (it is retried on its own).
        const auto failures = m_connectFailures;
        m_cv.wait_for(lock, m_options.connectTimeout + m_options.commandTimeout, [&] {
            return m_confirmed.count(channel) > 0 || m_quit || m_connectFailures != failures;
        });
        lock.unlock();
        return Subscription([this, channel, entry] {
            {
                std::lock_guard guard(entry->mutex);
                entry->active = false;
            }
            std::lock_guard guard(m_mutex);
            auto [first, last] = m_entries.equal_range(channel);
            for (auto it = first; it != last; ++it) {
                if (it->second == entry) {
                    m_entries.erase(it);
                    break;
                }
            }
            wake();
        });
    }

private:
    struct Entry {
        std::mutex mutex;
        bool active = true;
        std::function<void(const std::string&)> fn;
    };

    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(m_wakeFd, &one, sizeof one);
    }

    void run() {
        Context ctx;
        std::set<std::string> sent; // channels we asked the server for
        Duration backoff = m_options.reconnectBackoffMin;
        TimePoint nextTry = SteadyClock::instance().now();
        // A half-open connection shows no error until TCP keepalive gives up (minutes): ping
        // when the line has been quiet, and drop it when the pong does not come in time.
        const Duration pingEvery =
            std::max<Duration>(std::chrono::seconds(1), m_options.commandTimeout);
        TimePoint lastHeard = nextTry;
        TimePoint pingSent = TimePoint::max(); // max: no ping out
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            std::set<std::string> wanted;
            for (const auto& [channel, entry] : m_entries)
                wanted.insert(channel);
            if (!ctx && !wanted.empty() && SteadyClock::instance().now() >= nextTry) {
                lock.unlock();
                try {
                    ctx = connectTo(m_url, m_options, false);
                    backoff = m_options.reconnectBackoffMin;
                    lastHeard = SteadyClock::instance().now();
                    pingSent = TimePoint::max();
                } catch (const StoreError&) {
                    nextTry = SteadyClock::instance().now() + backoff;
                    backoff = std::min(backoff * 2, m_options.reconnectBackoffMax);
                }
                lock.lock();
                if (!ctx) {
                    ++m_connectFailures; // nobody waits for a confirmation that cannot come
                    m_cv.notify_all();
                }
                sent.clear();
                m_confirmed.clear();
                continue;
            }
            if (ctx) {
                std::vector<std::string> subscribe{"SUBSCRIBE"}, unsubscribe{"UNSUBSCRIBE"};
                for (const auto& c : wanted)
                    if (!sent.count(c))
                        subscribe.push_back(c);
                for (const auto& c : sent)
                    if (!wanted.count(c))
                        unsubscribe.push_back(c);
                const TimePoint now = SteadyClock::instance().now();
                std::vector<std::string> ping;
                if (pingSent == TimePoint::max() && now >= lastHeard + pingEvery) {
                    ping = {"PING", ""};
                    pingSent = now;
                }
                if (pingSent != TimePoint::max() && now >= pingSent + m_options.commandTimeout) {
                    drop(ctx, nextTry, backoff); // no pong: the connection is dead
                    continue;
                }
                if (!send(ctx.get(), subscribe) || !send(ctx.get(), unsubscribe) ||
                    !send(ctx.get(), ping)) {
                    drop(ctx, nextTry, backoff);
                    continue;
                }
                // Not confirmed from now on: a subscribe() for it must wait for the new
                // SUBSCRIBE's answer, not take the old one's.
                for (std::size_t i = 1; i < unsubscribe.size(); ++i)
                    m_confirmed.erase(unsubscribe[i]);
                sent = wanted;
            }
            lock.unlock();
            pollfd fds[2] = {{m_wakeFd, POLLIN, 0}, {ctx ? ctx->fd : -1, POLLIN, 0}};
            TimePoint wakeAt = TimePoint::max();
            if (!ctx && !wanted.empty())
                wakeAt = nextTry;
            else if (ctx)
                wakeAt = pingSent != TimePoint::max() ? pingSent + m_options.commandTimeout
                                                      : lastHeard + pingEvery;
            int timeout = -1;
            if (wakeAt != TimePoint::max())
                timeout = static_cast<int>(
                    std::clamp<std::int64_t>(std::chrono::ceil<std::chrono::milliseconds>(
                                                 wakeAt - SteadyClock::instance().now())
                                                 .count(),
                                             1, 60'000));
            ::poll(fds, ctx ? 2 : 1, timeout);
            if (fds[0].revents & POLLIN) {
                std::uint64_t value;
                [[maybe_unused]] auto n = ::read(m_wakeFd, &value, sizeof value);
            }
            std::vector<Reply> replies;
            bool failed = false;
            if (ctx && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                if (redisBufferRead(ctx.get()) != REDIS_OK) {
                    failed = true;
                } else {
                    void* r = nullptr;
                    while (redisGetReplyFromReader(ctx.get(), &r) == REDIS_OK && r)
                        replies.emplace_back(static_cast<redisReply*>(r));
                    lastHeard = SteadyClock::instance().now(); // any traffic proves it alive
                    pingSent = TimePoint::max();
                }
            }
            for (const auto& r : replies)
                handle(r.get());
            lock.lock();
            if (failed)
                drop(ctx, nextTry, backoff);
        }
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

    void drop(Context& ctx, TimePoint& nextTry, Duration& backoff) {
        ctx.reset();
        m_confirmed.clear();
        nextTry = SteadyClock::instance().now() + backoff;
        backoff = std::min(backoff * 2, m_options.reconnectBackoffMax);
    }

    // Runs without m_mutex held: callbacks must not run under it.
    void handle(const redisReply* r) {
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
            r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
            return;
        const std::string kind = replyText(r->element[0]);
        const std::string channel = replyText(r->element[1]);
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
        if (kind != "message" || r->element[2]->type != REDIS_REPLY_STRING)
            return;
        const std::string payload = replyText(r->element[2]);
        std::vector<std::shared_ptr<Entry>> targets;
        {
            std::lock_guard guard(m_mutex);
            auto [first, last] = m_entries.equal_range(channel);
            for (auto it = first; it != last; ++it)
                targets.push_back(it->second);
        }
        for (const auto& entry : targets) {
            std::lock_guard guard(entry->mutex);
            if (entry->active)
                entry->fn(payload);
        }
    }

    const RedisUrl m_url;
    const RedisOptions m_options;
    const int m_wakeFd;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::multimap<std::string, std::shared_ptr<Entry>> m_entries;
    std::set<std::string> m_confirmed;
    std::uint64_t m_connectFailures = 0;
    bool m_quit = false;
    std::thread m_thread;
};

} // namespace baton::redis_detail
