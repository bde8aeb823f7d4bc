#pragma once
// Runs the tuner off the GUI thread: start() returns at once, progress and the result arrive as
// queued signals, cancel() asks the workers to stop after the runs in hand.

#include <baton/sim/tuner.h>

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace baton::lab {

class TuningSweep : public QObject {
    Q_OBJECT
public:
    explicit TuningSweep(QObject* parent = nullptr);
    /// Cancels a sweep under way and waits for its runs in hand (each a fraction of a second).
    ~TuningSweep() override;

    /// Work for the sweep's thread: tune() or several of them (Compare).
    using Job = std::function<TuningResult(const TuningControl&)>;
    /// Starts `job`; false while another one runs.
    bool start(Job job);
    /// Starts tune(request).
    bool start(const TuningRequest& request);
    void cancel();
    bool running() const { return m_running; }

Q_SIGNALS:
    void progressed(int done, int total);
    /// The sweep ended (result.cancelled when cancel() stopped it); `error` when tune() threw.
    void finished(std::shared_ptr<const baton::TuningResult> result, const QString& error);

private:
    struct Shared {
        std::atomic<bool> cancel{false};
        std::atomic<int> shown{0}; ///< the last progress posted, so posts stay few
    };
    std::shared_ptr<Shared> m_shared;
    std::thread m_thread;
    bool m_running = false;
};

} // namespace baton::lab

Q_DECLARE_METATYPE(std::shared_ptr<const baton::TuningResult>)
