#pragma once
// The Resources view's source: passes of the core's ResourceDirectory over a Redis, on a thread
// of their own (never the GUI thread), paced: one pass, then a pause, then the next. What each
// pass found reaches the GUI thread as a queued signal.

#include "common/ending_threads.h"

#include <baton/redis/resource_directory.h>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

#include <memory>

namespace baton::lab {

/// One pass as it reaches the GUI: shared, so that no one copies a thousand resources.
struct ScanResult {
    std::shared_ptr<const DirectoryPass> pass; ///< nullptr when the pass failed
    QString error;                             ///< why it failed (Redis down, SCAN refused)
    double elapsedMs = 0;                      ///< how long the pass took
};

/// Runs on its own thread: connects, then scans until shutdown().
class ResourceScanner : public QObject {
    Q_OBJECT
public:
    /// `pause`: between passes (and, a little, between SCAN calls within one).
    ResourceScanner(QString url, std::vector<std::string> foreignPatterns, Duration pause,
                    QObject* parent = nullptr);
    ~ResourceScanner() override;

    void begin();
    void shutdown();

Q_SIGNALS:
    void scanned(const baton::lab::ScanResult& result);

private:
    void pass();

    const QString m_url;
    const std::vector<std::string> m_patterns;
    const Duration m_pause;
    std::unique_ptr<RedisStore> m_store;
    std::unique_ptr<ResourceDirectory> m_directory;
    bool m_stopped = false;
};

/// Owns the scanner's thread, on the GUI thread: start(), restart with new patterns, stop.
class ResourceWatch : public QObject {
    Q_OBJECT
public:
    static constexpr Duration kDefaultPause = std::chrono::seconds(1);

    explicit ResourceWatch(QObject* parent = nullptr);
    /// Stops the scan and waits (boundedly) for its thread.
    ~ResourceWatch() override;

    /// Scans `url` (the password is used, never shown) for Baton's resources and the keys
    /// matching `foreignPatterns`, a pass every `pause`. Ends a scan already running.
    void start(const QString& url, const QStringList& foreignPatterns,
               Duration pause = kDefaultPause);
    void stop();
    bool running() const { return m_scanner != nullptr; }

Q_SIGNALS:
    void scanned(const baton::lab::ScanResult& result);

private:
    QPointer<ResourceScanner> m_scanner;
    QPointer<QThread> m_thread;
    EndingThreads m_ending; ///< stopped, maybe still finishing a pass
    quint64 m_run = 0;
};

} // namespace baton::lab

Q_DECLARE_METATYPE(baton::lab::ScanResult)
