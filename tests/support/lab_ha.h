#pragma once
// Test support: the lab's private Sentinel setup as a test sees it: the topology strip's
// primaries, a sentinel's own view, when a failover can happen, and the lab's agent processes.

#include "backend/local_redis_ha.h"
#include "backend/local_redis_server.h"
#include "windows/main_window.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTest>

namespace baton::test {

/// The lab as `baton --local-redis-ha` starts it, with three of its agents (BATON_AGENT_PATH).
inline lab::MainWindow::Options labOnLocalHa() {
    lab::MainWindow::Options o;
    o.agentPath = QStringLiteral(BATON_AGENT_PATH);
    o.localRedisHa = true;
    o.agents = 3;
    return o;
}

/// How many lines of the topology strip say "primary, up".
inline int primaries(const QStringList& lines) {
    int n = 0;
    for (const QString& l : lines)
        n += l.contains(QStringLiteral(": primary, up")) ? 1 : 0;
    return n;
}

/// What sentinel `i` of the lab's setup says about the primary (SENTINEL master), or empty.
inline QString sentinelView(lab::LocalRedisHa& ha, int i) {
    lab::LocalRedisServer* s = ha.server(lab::LocalRedisHa::kDataNodes + i);
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"),
              {QStringLiteral("-p"), QString::number(s->port()),
               QStringLiteral("--no-auth-warning"), QStringLiteral("-a"), s->password(),
               QStringLiteral("SENTINEL"), QStringLiteral("master"),
               QString::fromLatin1(lab::LocalRedisHa::kMaster)});
    return cli.waitForFinished(5000) ? QString::fromUtf8(cli.readAllStandardOutput()) : QString();
}

/// A failover needs the sentinels to know each other (their hello messages) and the replica
/// (from the primary's INFO, which a sentinel reads only every 10 s): true once all three do.
inline bool sentinelsCanFailOver(lab::LocalRedisHa& ha) {
    for (int i = 0; i < 3; ++i) {
        const QString v = sentinelView(ha, i);
        if (!v.contains(QStringLiteral("num-other-sentinels\n2")) ||
            !v.contains(QStringLiteral("num-slaves\n1")))
            return false;
    }
    return true;
}

/// The command lines of this process's baton-agent children on `resource`, one a process.
inline QList<QStringList> agentCommandLines(const QString& resource) {
    QList<QStringList> out;
    const QString self = QString::number(QCoreApplication::applicationPid());
    for (const QString& pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!stat.open(QIODevice::ReadOnly) || !cmdline.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid ...": the name may hold spaces, so after its last ')'.
        const QByteArray s = stat.readAll();
        const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 2 || fields[1] != self.toLatin1())
            continue;
        QStringList args;
        for (const QByteArray& a : cmdline.readAll().split('\0'))
            args << QString::fromLocal8Bit(a);
        const qsizetype at = args.indexOf(QStringLiteral("--resource"));
        if (!args.isEmpty() && args.front().endsWith(QStringLiteral("baton-agent")) && at >= 0 &&
            at + 1 < args.size() && args[at + 1] == resource)
            out << args;
    }
    return out;
}

} // namespace baton::test
