// The 60 s campaign on real processes (the CI suite test_real_campaign runs short ones):
// baton-campaign --local-redis with every fault but drift on 4 agents; its failover times by
// cause, and its verdict (safe, overlaps, time without a leader) as details.

#include "support/bench.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <map>

using namespace baton::bench;

int main(int argc, char** argv) {
    return run(argc, argv, QStringLiteral("real-campaign"), [](Report& report) {
        const QStringList args{QStringLiteral("--local-redis"),
                               QStringLiteral("--agents"),
                               QStringLiteral("4"),
                               QStringLiteral("--duration"),
                               report.quick() ? QStringLiteral("8s") : QStringLiteral("60s"),
                               QStringLiteral("--seed"),
                               QStringLiteral("1"),
                               QStringLiteral("--json")};
        report.config(QStringLiteral("args"), args.join(QLatin1Char(' ')));
        progress("[real-campaign] baton-campaign %s", qPrintable(args.join(QLatin1Char(' '))));
        QProcess p;
        p.start(QStringLiteral(BATON_CAMPAIGN_PATH), args);
        if (!p.waitForFinished(report.quick() ? 60000 : 180000))
            throw Failure("baton-campaign did not finish in time");
        const QJsonObject v = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        if (p.exitCode() > 1 || v.isEmpty())
            throw Failure("baton-campaign failed: " + p.readAllStandardError().toStdString());
        std::map<QString, std::vector<double>> byCause;
        for (const QJsonValue f : v.value(QStringLiteral("failoverList")).toArray())
            if (f[QStringLiteral("newLeader")].toBool())
                byCause[f[QStringLiteral("cause")].toString()].push_back(
                    f[QStringLiteral("latencyMs")].toDouble());
        for (const auto& [cause, samples] : byCause)
            report.add(QStringLiteral("fault -> next elected"), cause, QStringLiteral("ms"),
                       Better::Lower, samples);
        for (const char* key :
             {"safe", "terms", "overlaps", "fenceViolations", "timeWithoutLeaderMs", "faults"})
            report.detail(QString::fromLatin1(key), v.value(QString::fromLatin1(key)));
    });
}
