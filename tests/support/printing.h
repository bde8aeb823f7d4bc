#pragma once
// How QCOMPARE prints Baton's types when a comparison fails.

#include <baton/base/clock.h>
#include <baton/election/event.h>

#include <QByteArray>
#include <string>

namespace baton {

inline char* toString(EventType type) {
    return qstrdup(std::string(eventName(type)).c_str());
}
inline char* toString(RevokeReason reason) {
    return qstrdup(("reason '" + std::string(reasonName(reason)) + "'").c_str());
}

} // namespace baton
