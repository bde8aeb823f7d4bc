#pragma once
// The environment of a machine without a display, for a child process (the lab, run.sh).

#include <QProcessEnvironment>

namespace baton::test {

/// This process's environment without DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM.
inline QProcessEnvironment withoutADisplay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(name));
    return env;
}

} // namespace baton::test
