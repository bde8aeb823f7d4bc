#pragma once
// Test support: a process's memory as Linux reports it in /proc/PID/status.

#include <QFile>
#include <QString>

#include <cstring>

namespace baton::test {

/// A field of /proc/PID/status in kB ("VmRSS", "VmHWM": resident now, at the peak), or -1.
/// `pid` is a number or "self".
inline long statusKb(const QString& pid, const char* field) {
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const auto length = qsizetype(std::strlen(field));
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(field) && line.mid(length).startsWith(':'))
            return line.mid(length + 1).trimmed().split(' ')[0].toLong();
    return -1;
}

/// Resets this process's peak (VmHWM) to what it holds now; false where Linux does not allow.
inline bool resetPeakMemory() {
    QFile refs(QStringLiteral("/proc/self/clear_refs"));
    return refs.open(QIODevice::WriteOnly) && refs.write("5") == 1;
}

/// A redis-cli EVAL that sets `key` to a lock value of somebody else's whose id is `idBytes`
/// long (20 MB fits no command line, so the server builds it).
inline QStringList writeLockWithIdOf(const QString& key, int idBytes) {
    return {QStringLiteral("EVAL"),
            QStringLiteral("redis.call('SET', KEYS[1], '{\"id\":\"' .. string.rep('x', ARGV[1]) "
                           ".. '\",\"fence\":1,\"token\":\"theirs\"}', 'PX', 60000)"),
            QStringLiteral("1"), key, QString::number(idBytes)};
}

} // namespace baton::test
