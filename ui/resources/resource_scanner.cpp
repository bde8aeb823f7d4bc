#include "resources/resource_scanner.h"

#include "backend/lab_clock.h"
#include "backend/redis_link.h"

#include <QElapsedTimer>
#include <QTimer>

namespace baton::lab {

namespace {
// How long closing waits for a pass in flight (each call is bounded by the command timeout).
constexpr int kStopWaitMs = 3000;
} // namespace

ResourceScanner::ResourceScanner(QString url, std::vector<std::string> foreignPatterns,
                                 Duration pause, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_patterns(std::move(foreignPatterns))
    , m_pause(pause) {}

ResourceScanner::~ResourceScanner() = default;

void ResourceScanner::begin() {
    pass();
}

void ResourceScanner::shutdown() {
    m_stopped = true;
    m_directory.reset();
    m_store.reset();
}

// One pass, then the next one after the pause: a slow server gets fewer passes, never more.
void ResourceScanner::pass() {
    if (m_stopped)
        return;
    ScanResult result;
    QElapsedTimer t;
    t.start();
    try {
        if (!m_store) {
            m_store = std::make_unique<RedisStore>(m_url.toStdString(), labRedisOptions());
            DirectoryOptions o;
            o.foreignPatterns = m_patterns;
            o.pause = std::chrono::milliseconds(1); // between SCAN pages: the server breathes
            m_directory = std::make_unique<ResourceDirectory>(*m_store, o);
        }
        result.pass = std::make_shared<const DirectoryPass>(m_directory->scan());
    } catch (const std::exception& e) {
        result.error = qstr(e.what());
        if (!m_directory) // connecting failed: connect again next time
            m_store.reset();
    }
    result.elapsedMs = double(t.nsecsElapsed()) / 1e6;
    Q_EMIT scanned(result);
    QTimer::singleShot(std::chrono::duration_cast<std::chrono::milliseconds>(m_pause), this,
                       [this] { pass(); });
}

ResourceWatch::ResourceWatch(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<ScanResult>();
}

ResourceWatch::~ResourceWatch() {
    stop();
    m_ending.wait(kStopWaitMs, "the resource scan");
}

void ResourceWatch::start(const QString& url, const QStringList& foreignPatterns, Duration pause) {
    stop();
    std::vector<std::string> patterns;
    for (const QString& p : foreignPatterns)
        if (!p.trimmed().isEmpty())
            patterns.push_back(p.trimmed().toStdString());
    auto* thread = new QThread(this);
    thread->setObjectName(QStringLiteral("lab-scan"));
    auto* scanner = new ResourceScanner(url, std::move(patterns), pause);
    scanner->moveToThread(thread);
    connect(thread, &QThread::finished, scanner, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    const quint64 run = ++m_run;
    connect(scanner, &ResourceScanner::scanned, this, [this, run](const ScanResult& r) {
        if (run == m_run) // a stopped scan's last pass is dropped
            Q_EMIT scanned(r);
    });
    m_scanner = scanner;
    m_thread = thread;
    thread->start();
    QMetaObject::invokeMethod(
        scanner, [scanner] { scanner->begin(); }, Qt::QueuedConnection);
}

void ResourceWatch::stop() {
    ++m_run;
    ResourceScanner* scanner = m_scanner;
    QThread* thread = m_thread;
    m_scanner = nullptr;
    m_thread = nullptr;
    if (!scanner || !thread)
        return;
    m_ending.add(thread);
    QMetaObject::invokeMethod(
        scanner,
        [scanner, thread] {
            scanner->shutdown();
            thread->quit();
        },
        Qt::QueuedConnection);
}

} // namespace baton::lab
