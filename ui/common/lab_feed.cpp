#include "common/lab_feed.h"

namespace baton::lab {

void LabFeed::addEvents(const QVector<LabEvent>& events) {
    if (events.isEmpty())
        return;
    for (const LabEvent& e : events)
        handle(e);
    batchHandled();
    Q_EMIT changed();
}

} // namespace baton::lab
