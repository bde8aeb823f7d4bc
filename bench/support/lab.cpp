#include "support/lab.h"

#include <QFile>

namespace baton::bench {

void runFor(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

int leaderOf(const lab::ClusterSnapshot& s) {
    for (const lab::ElectorView& e : s.electors)
        if (e.believesLeader)
            return e.id;
    return -1;
}

double procStatusKiB(const char* field) {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').front().toDouble();
    return 0;
}

} // namespace baton::bench
