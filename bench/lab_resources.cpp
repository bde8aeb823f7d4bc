// The Resources view with 1,000 resources x 3 members: a private redis-server holds them in
// Baton's own format; the lab's pane scans it for real (on its own thread, paced) while a timer
// on the GUI thread measures how long the event loop is held up (the GUI stall). Also timed
// alone: one pass of the resource directory (SCAN plus the pipelined reads), the model taking
// a pass, the live TTL tick, and the table's paint.

#include "support/bench.h"
#include "support/lab.h"
#include "support/redis.h"

#include "backend/lab_clock.h"
#include "resources/resources_pane.h"

#include <baton/redis/resource_directory.h>
#include <baton/wire/lock_value.h>
#include <baton/wire/member.h>

#include <QApplication>
#include <QImage>
#include <QSortFilterProxyModel>
#include <QTableView>

using namespace baton;
using namespace baton::bench;
using namespace std::chrono_literals;

namespace {

constexpr int kResources = 1000;
constexpr int kMembers = 3;

// Resource i: a holder (all but every tenth, left free) and three live members.
void writeResources(RedisStore& store, int resources) {
    const double now = unixMsNow();
    for (int i = 0; i < resources; ++i) {
        const std::string name = "service-" + std::to_string(i);
        for (int m = 0; m < kMembers; ++m) {
            MemberInfo info;
            info.id = name + "-" + std::to_string(m);
            info.state = m == 0 && i % 10 ? "leader" : "follower";
            info.ttl = 60s; // alive for the whole run
            info.refresh = 1s;
            info.retry = 1s;
            info.host = "bench";
            info.pid = 1000 + m;
            info.seenMs = now;
            info.expiresMs = now + 120'000;
            store.hset(RedisStore::key(name, "members"), info.id, wire::encode(info));
        }
        if (i % 10)
            store.set(RedisStore::key(name, "lock"),
                      wire::encode(wire::LockValue{name + "-0", std::uint64_t(1000 + i), "t"}),
                      120s);
    }
}

double msSince(const QElapsedTimer& t) {
    return double(t.nsecsElapsed()) / 1e6;
}

// The longest the GUI thread's event loop went without serving a 5 ms timer, less the 5 ms.
class StallProbe {
public:
    StallProbe() {
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            if (m_last.isValid())
                m_gaps.push_back(std::max(0.0, msSince(m_last) - 5));
            m_last.start();
        });
        m_timer.start();
    }
    std::vector<double> gaps() const { return m_gaps; }

private:
    QTimer m_timer;
    QElapsedTimer m_last;
    std::vector<double> m_gaps;
};

void timeAlone(Report& report, RedisStore& store, int passes) {
    ResourceDirectory directory(store);
    std::vector<double> scanMs, applyMs, tickMs, paintMs;
    lab::ResourcesPane pane;
    pane.resize(900, 700);
    pane.show();
    QImage image(pane.table()->size(), QImage::Format_ARGB32_Premultiplied);
    DirectoryPass pass;
    for (int i = 0; i < passes; ++i) {
        QElapsedTimer t;
        t.start();
        pass = directory.scan();
        scanMs.push_back(msSince(t));
        t.restart();
        pane.model()->applyPass(pass, lab::steadyNow());
        applyMs.push_back(msSince(t));
        t.restart();
        pane.model()->advance(lab::steadyNow());
        tickMs.push_back(msSince(t));
        QCoreApplication::processEvents(); // the repaint it asks for is the paint below
        pane.table()->sortByColumn(i % 2 ? lab::ResourceModel::Ttl : lab::ResourceModel::Name,
                                   Qt::AscendingOrder);
        t.restart();
        pane.table()->render(&image);
        paintMs.push_back(msSince(t));
    }
    if (int(pass.resources.size()) != kResources)
        throw Failure("the directory found " + std::to_string(pass.resources.size()) +
                      " resources, not " + std::to_string(kResources));
    const QString setup = QStringLiteral("%1 resources x %2 members").arg(kResources).arg(kMembers);
    report
        .add(QStringLiteral("directory pass (SCAN + reads)"), QStringLiteral("Baton"),
             QStringLiteral("ms"), Better::Lower, scanMs)
        .note(setup + QStringLiteral(", %1 SCAN calls, %2 pipelined reads")
                          .arg(pass.scanCalls)
                          .arg(pass.readCalls));
    report
        .add(QStringLiteral("model takes a pass"), QStringLiteral("Baton"), QStringLiteral("ms"),
             Better::Lower, applyMs)
        .target(Target::Stat::P99, true, 16)
        .note(setup + QStringLiteral(", GUI thread"));
    report
        .add(QStringLiteral("live TTL tick (4 a second)"), QStringLiteral("Baton"),
             QStringLiteral("ms"), Better::Lower, tickMs)
        .target(Target::Stat::P99, true, 16)
        .note(setup + QStringLiteral(", the model's part; the repaint is the paint below"));
    report
        .add(QStringLiteral("resource table paint"), QStringLiteral("Baton"), QStringLiteral("ms"),
             Better::Lower, paintMs)
        .target(Target::Stat::P99, true, 16)
        .note(QStringLiteral("900x700 px"));
}

} // namespace

int main(int argc, char** argv) {
    return run<QApplication>(argc, argv, QStringLiteral("lab-resources"), [](Report& report) {
        const auto server = startRedis();
        const std::string url = server->url();
        RedisStore store(url);
        writeResources(store, kResources);
        report.config(QStringLiteral("resources"), kResources);
        report.config(QStringLiteral("members per resource"), kMembers);
        timeAlone(report, store, report.quick() ? 3 : 20);

        // The real thing: the pane scanning on its own thread, a pass a second, for a while.
        lab::ResourcesPane pane;
        pane.resize(900, 700);
        pane.show();
        StallProbe probe;
        pane.start(QString::fromStdString(url));
        if (!waitUntil([&] { return pane.model()->rowCount() == kResources; }, 20000))
            throw Failure("the pane did not list every resource within 20 s");
        runFor(report.quick() ? 2000 : 15000);
        report
            .add(QStringLiteral("GUI stall while scanning"), QStringLiteral("Baton"),
                 QStringLiteral("ms"), Better::Lower, probe.gaps())
            .target(Target::Stat::P99, true, 16)
            .note(QStringLiteral("longest event-loop gap past a 5 ms timer; a pass a second"));
        pane.stop();
    });
}
