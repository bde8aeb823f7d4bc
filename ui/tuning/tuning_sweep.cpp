#include "tuning/tuning_sweep.h"

#include <QMetaObject>
#include <QPointer>

namespace baton::lab {

TuningSweep::TuningSweep(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const baton::TuningResult>>();
}

TuningSweep::~TuningSweep() {
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

bool TuningSweep::start(const TuningRequest& request) {
    return start([request](const TuningControl& control) { return tune(request, control); });
}

bool TuningSweep::start(Job job) {
    if (m_running)
        return false;
    if (m_thread.joinable())
        m_thread.join(); // finished already: its last post is queued
    m_running = true;
    m_shared = std::make_shared<Shared>();
    const std::shared_ptr<Shared> shared = m_shared;
    const QPointer<TuningSweep> self(this);
    m_thread = std::thread([job = std::move(job), shared, self] {
        TuningControl control;
        control.cancel = &shared->cancel;
        control.progress = [&](std::size_t done, std::size_t total) {
            // At most one post a percent: a large sweep must not flood the GUI's queue.
            const int step = static_cast<int>(done * 100 / std::max<std::size_t>(total, 1));
            int shown = shared->shown.load();
            if (done != total &&
                (step <= shown || !shared->shown.compare_exchange_strong(shown, step)))
                return;
            QMetaObject::invokeMethod(
                self,
                [self, done, total] {
                    if (self)
                        Q_EMIT self->progressed(static_cast<int>(done), static_cast<int>(total));
                },
                Qt::QueuedConnection);
        };
        std::shared_ptr<const TuningResult> result;
        QString error;
        try {
            result = std::make_shared<const TuningResult>(job(control));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            self,
            [self, result, error] {
                if (!self)
                    return;
                self->m_running = false;
                Q_EMIT self->finished(result, error);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void TuningSweep::cancel() {
    if (m_shared)
        m_shared->cancel = true;
}

} // namespace baton::lab
