#include "support/lab.h"

#include <QAction>
#include <QFile>

namespace baton::bench {

void runFor(int ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

std::unique_ptr<lab::MainWindow> openSimulatedLab(int electors, double speed) {
    lab::MainWindow::Options o;
    o.electors = electors;
    o.speed = speed;
    auto w = std::make_unique<lab::MainWindow>(o);
    w->resize(1600, 1000);
    w->show();
    return w;
}

void killLeaderEvery(QTimer& timer, lab::MainWindow& w, int ms) {
    timer.setInterval(ms);
    QObject::connect(&timer, &QTimer::timeout, &w,
                     [&w] { w.action(QStringLiteral("killLeader"))->trigger(); });
    timer.start();
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
