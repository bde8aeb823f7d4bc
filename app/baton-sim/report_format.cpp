#include "report_format.h"

#include <QJsonArray>
#include <QStringList>

#include <cmath>

namespace baton::sim {

namespace {

QString q(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

double ms(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

QString stats(const DurationStats& s) {
    if (s.count == 0)
        return u"-"_qs;
    return u"min "_qs + humanDuration(s.min) + u"  median "_qs + humanDuration(s.median) +
           u"  p99 "_qs + humanDuration(s.p99) + u"  max "_qs + humanDuration(s.max);
}

QJsonObject statsJson(const DurationStats& s) {
    return QJsonObject{{u"count"_qs, static_cast<qint64>(s.count)},
                       {u"minMs"_qs, ms(s.min)},
                       {u"medianMs"_qs, ms(s.median)},
                       {u"p99Ms"_qs, ms(s.p99)},
                       {u"maxMs"_qs, ms(s.max)}};
}

QString kindName(Violation::Kind k) {
    switch (k) {
    case Violation::Kind::Overlap:
        return u"overlap"_qs;
    case Violation::Kind::FenceOrder:
        return u"fence-order"_qs;
    case Violation::Kind::CorruptedWrite:
        return u"corrupted-write"_qs;
    }
    return u"?"_qs;
}

QString nodeName(int elector) {
    return elector < 0 ? u"nobody"_qs : u"node-"_qs + QString::number(elector);
}

} // namespace

QString humanDuration(Duration d) {
    const double ns = static_cast<double>(d.count());
    const double a = std::fabs(ns);
    if (a == 0)
        return u"0s"_qs;
    if (a < 1e3)
        return QString::number(ns, 'f', 0) + u"ns"_qs;
    if (a < 1e6)
        return QString::number(ns / 1e3, 'g', 3) + u"us"_qs;
    if (a < 1e9)
        return QString::number(ns / 1e6, 'g', 4) + u"ms"_qs;
    if (a < 60e9)
        return QString::number(ns / 1e9, 'g', 4) + u"s"_qs;
    const auto total = static_cast<long long>(std::llround(a / 1e9));
    const QString sign = ns < 0 ? u"-"_qs : QString();
    const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
    if (h > 0)
        return sign + QString::asprintf("%lldh%02lldm%02llds", h, m, s);
    return sign + QString::asprintf("%lldm%02llds", m, s);
}

QString describeViolation(const Report& r, const Violation& v) {
    return u"seed "_qs + QString::number(r.seed) + u" at t="_qs +
           QString::number(std::chrono::duration<double>(v.at - r.start).count(), 'f', 6) +
           u"s: "_qs + kindName(v.kind) + u": "_qs + q(v.description);
}

QString summary(const Report& r, const RunInfo& info) {
    const Scenario& s = info.scenario;
    QStringList lines;
    QString title = u"baton-sim: "_qs;
    if (!s.name.empty())
        title += q(s.name) + u", "_qs;
    title += QString::number(r.electors) + u" electors, "_qs + humanDuration(r.duration) +
             u" virtual, seed "_qs + QString::number(r.seed);
    lines << title;
    lines << u"  ttl "_qs + q(formatDuration(s.timing.ttl)) + u", refresh "_qs +
                 q(formatDuration(s.timing.refreshInterval)) + u", retry "_qs +
                 q(formatDuration(s.timing.retryInterval)) + u", drift "_qs +
                 QString::number(r.largestDrift, 'g', 3) + u" (assumed "_qs +
                 QString::number(s.maxDrift) + u"), latency "_qs + q(formatDuration(s.latency)) +
                 u", "_qs + (s.pollingOnly ? u"polling-only polling"_qs : u"push wake-up"_qs) +
                 u", fencing "_qs + (r.fencing ? u"on"_qs : u"off"_qs);
    lines << u"  faults: "_qs + QString::number(r.faults) +
                 (info.randomFaults ? u" (random schedule)"_qs : QString());
    lines << QString();
    lines
        << (r.safe()
                ? u"verdict: SAFE (no overlapping leadership, fences in order, no corrupted write)"_qs
                : u"verdict: UNSAFE ("_qs + QString::number(r.violations.size()) +
                      (r.violations.size() == 1 ? u" violation)"_qs : u" violations)"_qs));
    lines << u"  terms:                "_qs + QString::number(r.terms);
    lines << u"  overlaps:             "_qs + QString::number(r.overlaps) +
                 (r.overlaps
                      ? u" (both leading for "_qs + humanDuration(r.overlapTotal) + u" in all)"_qs
                      : QString());
    lines << u"  fence order:          "_qs +
                 (r.fenceOrderViolations
                      ? QString::number(r.fenceOrderViolations) + u" out of order"_qs
                      : u"strictly increasing"_qs);
    const double share = r.duration.count() > 0
                             ? 100.0 * static_cast<double>(r.timeWithoutLeader.count()) /
                                   static_cast<double>(r.duration.count())
                             : 0.0;
    lines << u"  time without leader:  "_qs + humanDuration(r.timeWithoutLeader) + u" ("_qs +
                 QString::number(share, 'f', 3) + u"%), longest "_qs +
                 humanDuration(r.longestWithoutLeader);
    lines << u"  failovers:            "_qs + QString::number(r.failovers.size());
    lines << u"    latency from fault: "_qs + stats(r.failoverLatency);
    lines << u"    beyond lock expiry: "_qs + stats(r.beyondExpiry);
    std::map<FaultKind, std::vector<Duration>> byCause;
    for (const Failover& f : r.failovers)
        if (f.newLeader >= 0)
            byCause[f.cause].push_back(f.latency);
    for (const auto& [cause, values] : byCause)
        lines << u"    by "_qs + q(faultName(cause)).leftJustified(10) + u"     "_qs +
                     QString::number(values.size()) + u", median "_qs +
                     humanDuration(statsOf(values).median);
    QStringList perElector;
    for (std::size_t i = 0; i < r.opsPerSecond.size() && i < 8; ++i)
        perElector << nodeName(static_cast<int>(i)) + u" "_qs +
                          QString::number(r.opsPerSecond[i], 'f', 2);
    if (r.opsPerSecond.size() > 8)
        perElector << u"..."_qs;
    lines << u"  store ops/s/elector:  "_qs + QString::number(r.meanOpsPerSecond, 'f', 2) +
                 u" mean ("_qs + perElector.join(u", "_qs) + u")"_qs;
    lines << u"  protected resource:   "_qs + QString::number(r.writesAccepted) +
                 u" writes accepted, "_qs + QString::number(r.writesRejected) +
                 u" rejected by fencing, "_qs + QString::number(r.writesCorrupted) +
                 u" corrupted"_qs;
    if (const Violation* v = r.firstViolation())
        lines << u"  first violation:      "_qs + describeViolation(r, *v);
    if (info.wallSeconds > 0) {
        const double hours = std::chrono::duration<double>(r.duration).count() / 3600.0;
        lines << u"  ran in "_qs + QString::number(info.wallSeconds, 'f', 3) + u" s wall ("_qs +
                     QString::number(hours / info.wallSeconds, 'f', 1) +
                     u" virtual hours per wall second)"_qs;
    }
    return lines.join(u'\n') + u'\n';
}

QJsonObject toJson(const Report& r, const RunInfo& info) {
    const Scenario& s = info.scenario;
    QJsonObject config{{u"name"_qs, q(s.name)},
                       {u"electors"_qs, static_cast<qint64>(r.electors)},
                       {u"durationMs"_qs, ms(r.duration)},
                       {u"seed"_qs, QString::number(r.seed)},
                       {u"ttlMs"_qs, ms(s.timing.ttl)},
                       {u"refreshMs"_qs, ms(s.timing.refreshInterval)},
                       {u"retryMs"_qs, ms(s.timing.retryInterval)},
                       {u"drift"_qs, r.largestDrift},
                       {u"maxDrift"_qs, s.maxDrift},
                       {u"latencyMs"_qs, ms(s.latency)},
                       {u"pollingOnly"_qs, s.pollingOnly},
                       {u"fencing"_qs, r.fencing},
                       {u"randomFaults"_qs, info.randomFaults}};
    QJsonArray violations;
    for (const Violation& v : r.violations)
        violations.append(QJsonObject{{u"kind"_qs, kindName(v.kind)},
                                      {u"atMs"_qs, ms(v.at - r.start)},
                                      {u"lengthMs"_qs, ms(v.length)},
                                      {u"description"_qs, q(v.description)}});
    QJsonArray failovers;
    for (const Failover& f : r.failovers) {
        QJsonObject o{{u"faultAtMs"_qs, ms(f.faultAt - r.start)},
                      {u"cause"_qs, q(faultName(f.cause))},
                      {u"oldLeader"_qs, nodeName(f.oldLeader)},
                      {u"newLeader"_qs, nodeName(f.newLeader)},
                      {u"latencyMs"_qs, ms(f.latency)}};
        if (f.beyondExpiry)
            o.insert(u"beyondExpiryMs"_qs, ms(*f.beyondExpiry));
        failovers.append(o);
    }
    QJsonArray ops;
    for (double v : r.opsPerSecond)
        ops.append(v);
    QJsonObject report{
        {u"config"_qs, config},
        {u"safe"_qs, r.safe()},
        {u"terms"_qs, static_cast<qint64>(r.terms)},
        {u"faults"_qs, static_cast<qint64>(r.faults)},
        {u"overlaps"_qs, static_cast<qint64>(r.overlaps)},
        {u"overlapTotalMs"_qs, ms(r.overlapTotal)},
        {u"fenceOrderViolations"_qs, static_cast<qint64>(r.fenceOrderViolations)},
        {u"timeWithoutLeaderMs"_qs, ms(r.timeWithoutLeader)},
        {u"longestWithoutLeaderMs"_qs, ms(r.longestWithoutLeader)},
        {u"failoverLatency"_qs, statsJson(r.failoverLatency)},
        {u"beyondExpiry"_qs, statsJson(r.beyondExpiry)},
        {u"failovers"_qs, failovers},
        {u"opsPerSecondPerElector"_qs, ops},
        {u"meanOpsPerSecond"_qs, r.meanOpsPerSecond},
        {u"writes"_qs, QJsonObject{{u"accepted"_qs, static_cast<qint64>(r.writesAccepted)},
                                   {u"rejected"_qs, static_cast<qint64>(r.writesRejected)},
                                   {u"corrupted"_qs, static_cast<qint64>(r.writesCorrupted)}}},
        {u"violations"_qs, violations},
        {u"wallSeconds"_qs, info.wallSeconds},
    };
    return report;
}

} // namespace baton::sim
