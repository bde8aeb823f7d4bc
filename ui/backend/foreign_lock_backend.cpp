#include "backend/foreign_lock_backend.h"

#include "backend/foreign_lock_tracker.h"
#include "backend/lab_clock.h"
#include "backend/redis_link.h"
#include "backend/serial_worker.h"

#include <baton/base/text.h>
#include <baton/redis/redis_url.h>
#include <baton/redis/resource_directory.h>

#include <QTimer>

#include <atomic>
#include <mutex>

namespace baton::lab {

namespace {

// The worker's side: the connection and the reads it made, handed over under a mutex.
struct Reader {
    std::string url;
    std::string key;
    LabClock clock;
    std::unique_ptr<RedisStore> store;
    std::unique_ptr<ResourceDirectory> directory;
    std::atomic<bool> busy{false};
    std::mutex mutex;
    std::vector<LockRead> reads;

    // On the worker thread.
    void read() {
        LockRead r;
        try {
            if (!store) {
                store = std::make_unique<RedisStore>(url, labRedisOptions());
                directory = std::make_unique<ResourceDirectory>(*store);
            }
            const ResourceInfo info = directory->readLock(key);
            r.holder = info.holder;
            r.ttl = info.ttl;
            r.error = info.error;
        } catch (const std::exception& e) {
            r.answered = false;
            r.error = e.what();
            if (!directory) // connecting failed: connect again next time
                store.reset();
        }
        r.at = clock.now();
        {
            std::lock_guard guard(mutex);
            reads.push_back(std::move(r));
        }
        busy = false;
    }
};

} // namespace

class ForeignLockBackend::Impl {
public:
    Impl(ForeignLockBackend& owner, QString url, QString key)
        : q(owner)
        , m_key(key)
        , m_tracker(std::move(key))
        , m_reader(std::make_shared<Reader>()) {
        m_reader->url = url.toStdString();
        m_reader->key = m_key.toStdString();
        m_shownUrl = qstr(redactUrl(m_reader->url));
    }

    void begin();
    void tick();
    void stop();

    ForeignLockBackend& q;
    QString m_key;
    QString m_shownUrl;
    ForeignLockTracker m_tracker;
    LabClock m_clock;
    QTimer* m_tick = nullptr;
    LabTime m_nextPollAt{};
    int m_reads = 0; ///< answered reads in the current second, for the store's load
    LabTime m_secondBegan{};
    double m_readsPerSecond = 0;
    LabTime m_lastEventAt{};
    bool m_stopped = false;
    std::shared_ptr<Reader> m_reader;       // before the worker: it outlives the worker's tasks
    std::unique_ptr<SerialWorker> m_worker; // last: joined first
};

void ForeignLockBackend::Impl::begin() {
    m_clock.begin();
    m_reader->clock = m_clock;
    m_worker = std::make_unique<SerialWorker>();
    LabEvent e;
    e.source = LabEvent::Source::Lab;
    e.name = QStringLiteral("info");
    e.detail = tr("watching %1 on %2: another library's lock, read-only (its holder and PTTL "
                  "read every %3 ms; nothing is written)")
                   .arg(qstr(visible(m_reader->key, 200)), m_shownUrl)
                   .arg(kPollInterval.count());
    Q_EMIT q.eventsReady({e});
    m_tick = new QTimer(&q);
    m_tick->setInterval(kSnapshotInterval);
    QObject::connect(m_tick, &QTimer::timeout, &q, [this] { tick(); });
    m_tick->start();
    tick();
}

void ForeignLockBackend::Impl::tick() {
    if (m_stopped)
        return;
    std::vector<LockRead> reads;
    {
        std::lock_guard guard(m_reader->mutex);
        reads.swap(m_reader->reads);
    }
    const LabTime now = m_clock.now();
    QVector<LabEvent> events;
    for (const LockRead& r : reads) {
        events += m_tracker.take(r);
        if (r.answered)
            ++m_reads;
        else
            m_nextPollAt = r.at + kRetryInterval;
    }
    if (now - m_secondBegan >= std::chrono::seconds(1)) {
        m_readsPerSecond = m_reads / toSeconds(now - m_secondBegan);
        m_reads = 0;
        m_secondBegan = now;
    }
    if (!m_reader->busy && now >= m_nextPollAt) {
        m_reader->busy = true;
        m_nextPollAt = now + kPollInterval;
        m_worker->post([reader = m_reader] { reader->read(); });
    }
    for (LabEvent& e : events) { // never before what was already sent
        e.at = std::max(e.at, m_lastEventAt);
        m_lastEventAt = e.at;
    }
    if (!events.isEmpty())
        Q_EMIT q.eventsReady(events);
    ClusterSnapshot s = m_tracker.snapshot(now, readOnlyReason());
    s.storeOpsPerSecond = m_readsPerSecond;
    Q_EMIT q.snapshotReady(s);
}

void ForeignLockBackend::Impl::stop() {
    if (m_stopped)
        return;
    m_stopped = true;
    if (m_tick)
        m_tick->stop();
    m_worker.reset(); // the read in flight ends within the command timeout
    m_reader->directory.reset();
    m_reader->store.reset();
}

ForeignLockBackend::ForeignLockBackend(QString url, QString key, QObject* parent)
    : Backend(parent)
    , m_impl(std::make_unique<Impl>(*this, std::move(url), std::move(key))) {}

ForeignLockBackend::~ForeignLockBackend() {
    m_impl->stop();
}

QString ForeignLockBackend::readOnlyReason() {
    return tr("a lock written by another library: Baton only watches it");
}

void ForeignLockBackend::begin() {
    m_impl->begin();
}

void ForeignLockBackend::act(const Action& action) {
    Q_EMIT actionRefused(actionName(action.kind) + QStringLiteral(": ") + readOnlyReason());
}

void ForeignLockBackend::shutdown() {
    m_impl->stop();
}

} // namespace baton::lab
