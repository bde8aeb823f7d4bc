// baton-agent as real processes on a test-owned redis-server, stopped, killed and frozen with
// real signals; leadership judged from the JSON lines they print.

#include "support/agent_process.h"
#include "support/columns.h"
#include "support/proc_status.h"
#include "support/redis_server.h"
#include "support/sentinel_setup.h"
#include "support/signal_rows.h"
#include "support/unread_pipe.h"
#include "support/words.h"

#include <baton/redis/free_port.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>

using namespace baton::test;
using namespace Qt::StringLiterals;

namespace {

const QStringList kTiming{QStringLiteral("--ttl"),     QStringLiteral("1s"),
                          QStringLiteral("--refresh"), QStringLiteral("200ms"),
                          QStringLiteral("--retry"),   QStringLiteral("300ms"),
                          QStringLiteral("--verbose")};
constexpr double kTtlMs = 1000;

// One term of leadership as the JSON lines show it: from "elected" to its revocation or its
// self-fencing deadline (the last one announced), whichever is first.
struct Term {
    QString id;
    double start = 0;
    double end = 0;
    quint64 fence = 0;
};

QList<Term> termsOf(const AgentProcess& agent, double endOfRun) {
    QList<Term> terms;
    std::optional<Term> open;
    double deadline = 0;
    for (const QJsonObject& e : agent.events()) {
        const QString type = e.value(QStringLiteral("event")).toString();
        const double t = e.value(QStringLiteral("t")).toDouble();
        if (type == u"elected") {
            open =
                Term{agent.id(), t, 0, e.value(QStringLiteral("fence")).toVariant().toULongLong()};
            deadline = e.value(QStringLiteral("deadline")).toDouble();
        } else if (type == u"extended" && open) {
            deadline = e.value(QStringLiteral("deadline")).toDouble();
        } else if (type == u"revoked" && open) {
            open->end = std::min(t, deadline);
            terms.push_back(*open);
            open.reset();
        }
    }
    if (open) { // killed, or still leading: it led until its deadline at most
        open->end = std::min(deadline, endOfRun);
        terms.push_back(*open);
    }
    return terms;
}

QList<Term> allTerms(const std::vector<std::unique_ptr<AgentProcess>>& agents, double endOfRun) {
    QList<Term> terms;
    for (const auto& a : agents)
        terms += termsOf(*a, endOfRun);
    std::sort(terms.begin(), terms.end(),
              [](const Term& a, const Term& b) { return a.start < b.start; });
    return terms;
}

QString overlaps(const QList<Term>& terms) {
    for (qsizetype i = 0; i < terms.size(); ++i)
        for (qsizetype j = i + 1; j < terms.size(); ++j)
            if (terms[j].start < terms[i].end)
                return QStringLiteral("%1 [%2, %3] overlaps %4 [%5, %6]")
                    .arg(terms[i].id)
                    .arg(terms[i].start, 0, 'f', 3)
                    .arg(terms[i].end, 0, 'f', 3)
                    .arg(terms[j].id)
                    .arg(terms[j].start, 0, 'f', 3)
                    .arg(terms[j].end, 0, 'f', 3);
    return {};
}

// One request to an agent's metrics port: the whole response, empty when none came.
QByteArray httpGet(int port, const QByteArray& path) {
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    if (!s.waitForConnected(1000))
        return {};
    s.write("GET " + path + " HTTP/1.0\r\n\r\n");
    QByteArray response;
    while (s.waitForReadyRead(1000))
        response += s.readAll();
    return response;
}

QByteArray bodyOf(const QByteArray& response) {
    const qsizetype end = response.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : response.mid(end + 4);
}

// promtool check metrics on `scrape`: empty when it passes, else what it said.
QString promtoolComplaints(const QByteArray& scrape) {
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        return QStringLiteral("promtool not found (Debian package prometheus, scripts/deps.sh)");
    QProcess p;
    p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    p.write(scrape);
    p.closeWriteChannel();
    if (!p.waitForFinished(10000))
        return QStringLiteral("promtool did not finish");
    const QString said = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitCode() == 0 ? QString() : said;
}

} // namespace

class TestAgent : public QObject {
    Q_OBJECT
    RedisServer m_server;
    std::vector<std::unique_ptr<AgentProcess>> m_agents;

    AgentProcess& launch(const QString& id, const QStringList& extra = {}) {
        return launchAgent(m_agents, id, m_server.url(), kTiming + extra);
    }
    int electedCount() const {
        int n = 0;
        for (const auto& a : m_agents)
            n += a->count(QStringLiteral("elected"));
        return n;
    }
    AgentProcess* leader() const {
        // The agent whose last elected is not followed by a revoked.
        for (const auto& a : m_agents) {
            const auto ev = a->events();
            for (auto it = ev.rbegin(); it != ev.rend(); ++it) {
                const QString type = it->value(QStringLiteral("event")).toString();
                if (type == u"revoked" || type == u"stopped")
                    break;
                if (type == u"elected" && a->running())
                    return a.get();
                if (type == u"elected")
                    break;
            }
        }
        return nullptr;
    }
    // Whether process `pid` has SIGTERM blocked (its SigBlk mask in /proc).
    static bool blocksSigterm(qint64 pid) {
        QFile status(u"/proc/%1/status"_s.arg(pid));
        if (!status.open(QIODevice::ReadOnly))
            return false;
        for (const QByteArray& line : status.readAll().split('\n'))
            if (line.startsWith("SigBlk:"))
                return (line.mid(7).trimmed().toULongLong(nullptr, 16) >> (SIGTERM - 1)) & 1;
        return false;
    }
    double lockPttl() const {
        return m_server.cli({QStringLiteral("PTTL"), QStringLiteral("baton:{jobs}:lock")})
            .toDouble();
    }

private slots:
    void initTestCase() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }
    void cleanup() {
        m_agents.clear(); // each one is resumed and killed as it goes
        m_server.cli({QStringLiteral("FLUSHALL")});
    }

    void usageErrorsExitTwoWithOneLine_data() {
        addColumns<QStringList, QString>("args", "reason");
        QTest::newRow("unknown option")
            << words("--resource r --frobnicate") << "unknown option '--frobnicate'";
        QTest::newRow("no resource") << QStringList{} << "missing --resource";
        QTest::newRow("missing value")
            << QStringList{QStringLiteral("--resource")} << "--resource needs a value";
        QTest::newRow("bad duration")
            << words("--resource r --ttl soon") << "--ttl: bad duration 'soon'";
        QTest::newRow("bad unit") << words("--resource r --retry=5parsecs")
                                  << "unknown unit 'parsecs'";
        QTest::newRow("zero ttl") << words("--resource r --ttl 0") << "invalid ttl = 0ms";
        QTest::newRow("retry of a nanosecond")
            << words("--resource r --retry 1ns") << "must be at least 1ms";
        QTest::newRow("refresh too long")
            << words("--resource r --ttl 2s --refresh 1s") << "must be below ttl / 2";
        QTest::newRow("drift") << words("--resource r --max-drift 0.7")
                               << "invalid maxClockDrift = 0.7";
        QTest::newRow("drift not a number")
            << words("--resource r --max-drift lots") << "is not a number";
        QTest::newRow("metrics port")
            << words("--resource r --metrics-port 70000") << "is not a port";
        QTest::newRow("flag with value")
            << words("--resource r --polling-only=yes") << "--polling-only takes no value";
        QTest::newRow("control with shards") << words("--resource r --shards 4 --allow-control")
                                             << "--allow-control works for one election only";
        QTest::newRow("metrics with shards") << words("--resource r --shards 4 --metrics-port 9100")
                                             << "--metrics-port works for one election only";
        QTest::newRow("clock rate with shards") << words("--resource r --clock-rate 2 --shards 4")
                                                << "--clock-rate works for one election only";
        QTest::newRow("fair share without shards")
            << words("--resource r --no-fair-share") << "--no-fair-share needs --shards N";
        QTest::newRow("stray argument")
            << words("--resource r extra") << "unexpected argument 'extra'";
        QTest::newRow("malformed url")
            << words("--resource r --redis redis://:hunter2@host:0") << "port 0 is out of range";
        QTest::newRow("sentinel url without master")
            << words(
                   "--resource r --redis redis-sentinel://:hunter2@h1,h2?sentinelPassword=hunter2")
            << "no master name";
        QTest::newRow("replica count")
            << words("--resource r --min-replicas two") << "is not a replica count";
        QTest::newRow("replica timeout")
            << words("--resource r --min-replicas 1 --replica-timeout 0") << "must be above 0";
        QTest::newRow("newline and escape code in an argument")
            << QStringList{u"--resource"_s, u"r"_s, u"--shards"_s, u"1\n\x1b[2J"_s}
            << "'1\\n\\x1b[2J' is not a shard count";
    }
    void usageErrorsExitTwoWithOneLine() {
        QFETCH(QStringList, args);
        QFETCH(QString, reason);
        QProcess p;
        p.start(QStringLiteral(BATON_AGENT_PATH), args);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QVERIFY2(err.contains(reason), qPrintable(err));
        QVERIFY2(!err.contains(u'\n'), qPrintable(err));
        QVERIFY2(!err.contains(u"hunter2"), qPrintable(err));
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }

    void unreachableOrRefusedRedisExitsThree_data() {
        addColumns<QString, QString>("url", "reason");
        QTest::newRow("no server") << u"redis://127.0.0.1:1"_s << u"cannot connect"_s;
        QTest::newRow("wrong password") << u""_s << u"authentication failed"_s;
    }
    void unreachableOrRefusedRedisExitsThree() {
        QFETCH(QString, url);
        QFETCH(QString, reason);
        RedisServer secured;
        if (url.isEmpty()) {
            QVERIFY2(secured.start({QStringLiteral("right"), {}}), qPrintable(secured.error()));
            url = QString::fromStdString(secured.url(QStringLiteral(":wrong")));
        }
        QProcess p;
        p.start(
            QStringLiteral(BATON_AGENT_PATH),
            {QStringLiteral("--resource"), QStringLiteral("r"), QStringLiteral("--redis"), url});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 3);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(reason), qPrintable(err));
        QVERIFY2(!err.contains(u"wrong"), qPrintable(err));
    }

    // Given a Redis that does not let an election do all it needs (a user without SUBSCRIBE,
    // EVALSHA or PUBLISH; a read-only replica), then the agent exits 3 at once with one line
    // naming what is missing and the way out, instead of running on without notices or with
    // errors without end.
    void missingAccessExitsThreeNamingIt_data() {
        QTest::addColumn<QString>("grants"); // empty: a replica of the test's server
        QTest::addColumn<QString>("named");
        QTest::newRow("no SUBSCRIBE") << u"~* &* +@all -subscribe"_s << u"may not run SUBSCRIBE"_s;
        QTest::newRow("no EVALSHA") << u"~* &* +@all -evalsha"_s << u"may not run EVALSHA"_s;
        QTest::newRow("no PUBLISH") << u"~* &* +@all -publish"_s << u"may not run PUBLISH"_s;
        QTest::newRow("replica") << u""_s << u"is a replica of 127.0.0.1:"_s;
    }
    void missingAccessExitsThreeNamingIt() {
        QFETCH(QString, grants);
        QFETCH(QString, named);
        RedisServer server;
        std::string url;
        if (grants.isEmpty()) {
            QVERIFY2(server.start({}, RedisServer::replicaOf(m_server.port())),
                     qPrintable(server.error()));
            url = server.url();
        } else {
            QVERIFY2(server.start({{}, {QStringLiteral("worker on >hunter2 ") + grants}}),
                     qPrintable(server.error()));
            url = server.url(QStringLiteral("worker:hunter2"));
        }
        QProcess p;
        p.start(QStringLiteral(BATON_AGENT_PATH),
                {QStringLiteral("--resource"), QStringLiteral("jobs"), QStringLiteral("--redis"),
                 QString::fromStdString(url)});
        const bool ended = p.waitForFinished(5000);
        if (!ended)
            p.kill();
        QVERIFY2(ended, "the agent ran on");
        QCOMPARE(p.exitCode(), 3);
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        QVERIFY2(err.contains(named), qPrintable(err));
        QVERIFY2(err.contains(grants.isEmpty() ? u"point the Redis URL at it"_s
                                               : u"ACL SETUSER worker +"_s),
                 qPrintable(err));
        QVERIFY2(!err.contains(u'\n') && !err.contains(u"hunter2"), qPrintable(err));
        QVERIFY(p.readAllStandardOutput().isEmpty());
    }

    // Given a Sentinel setup with passwords on the primary and on the sentinels, when agents
    // run on its redis-sentinel:// URL with --min-replicas 1, then one leads, and neither
    // password is ever printed.
    void runsOnSentinelWithReplicaAcknowledgement() {
        SentinelSetup setup;
        QVERIFY2(setup.start({u"hunter2data"_s, u"hunter2sent"_s, {}, 400}),
                 qPrintable(setup.error()));
        launchAgent(m_agents, u"first"_s, setup.url(),
                    kTiming + words("--min-replicas 1 --replica-timeout 300ms"));
        launchAgent(m_agents, u"second"_s, setup.url(), kTiming + words("--min-replicas 1"));
        QTRY_VERIFY(leader());
        QTRY_VERIFY(setup.node(1)
                        .cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")})
                        .contains(leader()->id()));
        for (const auto& agent : m_agents)
            QVERIFY2(!agent->standardError().contains(u"hunter2"),
                     qPrintable(agent->standardError()));
        m_agents.clear();
    }

    // Given a 20 MB holder id in somebody else's lock value, then the agent reports it in one
    // short error event and stays small: the value never leaves the server.
    void oversizedLockValueKeepsTheAgentSmall() {
        QCOMPARE(m_server.cli(writeLockWithIdOf(u"baton:{jobs}:lock"_s, 20'000'000)), QString());
        AgentProcess& a = launch(QStringLiteral("small"));
        QTRY_VERIFY(a.count(QStringLiteral("error")) >= 2);
        const QString reason =
            a.events(QStringLiteral("error")).first().value(QStringLiteral("reason")).toString();
        QVERIFY2(reason.contains(u"holds 20000036 bytes, more than Baton ever writes"),
                 qPrintable(reason.left(300)));
        const long peakKb = statusKb(QString::number(a.process().processId()), "VmHWM");
        QVERIFY2(peakKb > 0 && peakKb < 64 * 1024, qPrintable(QString::number(peakKb)));
        QCOMPARE(a.count(QStringLiteral("elected")), 0);
        for (const QJsonObject& e : a.events())
            QVERIFY(QJsonDocument(e).toJson(QJsonDocument::Compact).size() < 4096);
        QVERIFY(a.badLines().isEmpty());
    }

    void helpAndVersion() {
        QProcess p;
        p.start(QStringLiteral(BATON_AGENT_PATH), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("--allow-control"));
        p.start(QStringLiteral(BATON_AGENT_PATH), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(10000));
        QVERIFY(p.readAllStandardOutput().startsWith("baton-agent "));
    }

    // Given an agent whose stdout is a pipe nobody reads (verbose: a line per extend), when the
    // pipe is full, then it still leads for three TTLs (its extends go on), and SIGTERM still
    // ends it, exit 0, its lock released.
    void blockedStdoutStallsNoElection() {
        UnreadPipe out;
        QVERIFY(out.ok());
        QProcess agent;
        out.becomeStdoutOf(agent);
        agent.start(QStringLiteral(BATON_AGENT_PATH),
                    QStringList{u"--redis"_s, QString::fromStdString(m_server.url()),
                                u"--resource"_s, u"jobs"_s, u"--id"_s, u"mute"_s} +
                        kTiming); // --verbose: a line per extend
        QVERIFY(agent.waitForStarted(5000));
        out.started();
        // A one-page pipe with anything in it reports no room: every later line must wait.
        QTRY_VERIFY_WITH_TIMEOUT(lockPttl() > 0 && out.queued() > 0, 10000);
        const double full = nowMs();
        while (nowMs() - full < 3 * kTtlMs) {
            QVERIFY(lockPttl() > 0);
            QTest::qWait(100);
        }
        agent.terminate(); // SIGTERM
        QVERIFY(agent.waitForFinished(5000));
        QCOMPARE(agent.exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.exitCode(), 0);
        QCOMPARE(lockPttl(), -2.0); // no such key
    }

    // Given the agent's human log on stderr, then each line carries a UTC time to the
    // millisecond, the agent's id and a level; -v is --version, as in baton and baton-sim.
    void logLinesHaveTimeIdAndLevel() {
        const QRegularExpression line(
            uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z baton-agent\[([^\]]+)\] (info|warning|error): .+$)"_s);
        QProcess failed;
        failed.start(QStringLiteral(BATON_AGENT_PATH),
                     words("--resource r --id lost --redis redis://127.0.0.1:1"));
        QVERIFY(failed.waitForFinished(10000));
        QCOMPARE(failed.exitCode(), 3);
        const QString error = QString::fromUtf8(failed.readAllStandardError()).trimmed();
        const auto m = line.match(error);
        QVERIFY2(m.hasMatch(), qPrintable(error));
        QCOMPARE(m.captured(1), u"lost"_s);
        QCOMPARE(m.captured(2), u"error"_s);

        AgentProcess& agent = launch(QStringLiteral("stamped"));
        QTRY_VERIFY(agent.standardError().contains(u"electing for"_s));
        const QStringList lines = agent.standardError().split(u'\n', Qt::SkipEmptyParts);
        for (const QString& l : lines)
            QVERIFY2(line.match(l).hasMatch(), qPrintable(l));
        QVERIFY(lines.first().contains(u"baton-agent[stamped] info: electing for 'jobs'"_s));
        const QDateTime stamp = QDateTime::fromString(lines.first().left(24), Qt::ISODateWithMs);
        QVERIFY2(stamp.isValid(), qPrintable(lines.first()));
        QVERIFY(qAbs(stamp.msecsTo(QDateTime::currentDateTimeUtc())) < 60'000);

        QProcess version;
        version.start(QStringLiteral(BATON_AGENT_PATH), {QStringLiteral("-v")});
        QVERIFY(version.waitForFinished(10000));
        QCOMPARE(version.exitCode(), 0);
        QVERIFY(version.readAllStandardOutput().startsWith("baton-agent "));
    }

    void threeAgentsElectExactlyOne() {
        for (int i = 0; i < 3; ++i)
            launch(QStringLiteral("agent-%1").arg(i));
        QTRY_COMPARE(electedCount(), 1);
        for (const auto& a : m_agents)
            QTRY_VERIFY(a->count(QStringLiteral("started")) == 1);
        QTest::qWait(1500); // a few TTLs: nobody else is elected
        QCOMPARE(electedCount(), 1);
        for (const auto& a : m_agents)
            QVERIFY2(a->badLines().isEmpty(), qPrintable(a->badLines().join(u'\n')));
        const QJsonObject e = leader()->events(QStringLiteral("elected")).first();
        QCOMPARE(e.value(QStringLiteral("resource")).toString(), QStringLiteral("jobs"));
        QVERIFY(e.value(QStringLiteral("t")).toDouble() > 1.7e12);
        QVERIFY(e.value(QStringLiteral("fence")).toDouble() > 0);
    }

    void sigkillLeaderFailsOverAfterTheTtl() {
        for (int i = 0; i < 3; ++i)
            launch(QStringLiteral("agent-%1").arg(i));
        QTRY_VERIFY(leader());
        AgentProcess* old = leader();
        const double remaining = lockPttl();
        const double killedAt = nowMs();
        old->signal(SIGKILL);
        QVERIFY(old->process().waitForFinished(2000));
        QTRY_COMPARE_WITH_TIMEOUT(electedCount(), 2, 5000);
        AgentProcess* next = leader();
        QVERIFY(next && next != old);
        const double after =
            next->events(QStringLiteral("elected")).last().value(QStringLiteral("t")).toDouble() -
            killedAt;
        qInfo("elected %.1f ms after SIGKILL; the lock had %.0f ms left", after, remaining);
        QVERIFY(after <= remaining + 150);
        QVERIFY(after >= remaining - 50);
    }

    // Every signal that asks an agent to end ends it gracefully (revoke, release, "stopped",
    // exit 0), however many arrive and whenever: twice in a row, a closed terminal's SIGHUP,
    // Ctrl-C on a follower, a SIGTERM before it has even connected.
    void everyEndingSignalEndsGracefully_data() {
        QTest::addColumn<QList<int>>("ending");
        QTest::addColumn<bool>("leading"); // signal the leader (else a follower)
        QTest::addColumn<bool>("atOnce");  // signal as soon as the process runs
        QTest::newRow("SIGTERM twice, leading") << QList<int>{SIGTERM, SIGTERM} << true << false;
        QTest::newRow("SIGTERM, SIGINT, SIGHUP, leading")
            << QList<int>{SIGTERM, SIGINT, SIGHUP} << true << false;
        QTest::newRow("SIGHUP, leading") << QList<int>{SIGHUP} << true << false;
        QTest::newRow("SIGINT, following") << QList<int>{SIGINT} << false << false;
        QTest::newRow("SIGTERM twice during the first connect")
            << QList<int>{SIGTERM, SIGTERM} << true << true;
    }
    void everyEndingSignalEndsGracefully() {
        QFETCH(QList<int>, ending);
        QFETCH(bool, leading);
        QFETCH(bool, atOnce);
        AgentProcess& first = launch(QStringLiteral("first"));
        AgentProcess* target = &first;
        if (atOnce) {
            // The server stopped, the agent hangs in its first connect; it has run its main()
            // as soon as its signal mask shows SIGTERM blocked.
            m_server.pause();
            QVERIFY(first.process().waitForStarted(5000));
            QTRY_VERIFY(blocksSigterm(first.process().processId()));
        } else {
            QTRY_VERIFY2(leader() == &first, qPrintable(first.standardError()));
            if (!leading) {
                target = &launch(QStringLiteral("second"));
                QTRY_VERIFY(target->count(QStringLiteral("leader-changed")) > 0);
            }
        }
        for (const int sig : ending)
            target->signal(sig);
        if (atOnce)
            m_server.resume(); // within its connect timeout: it connects, then stops
        QVERIFY(target->process().waitForFinished(5000));
        QCOMPARE(target->process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(target->process().exitCode(), 0);
        QCOMPARE(target->count(QStringLiteral("stopped")), 1);
        const QString holder =
            m_server.cli({QStringLiteral("GET"), QStringLiteral("baton:{jobs}:lock")});
        if (leading)
            QVERIFY2(holder.isEmpty(), qPrintable(u"the lock is still held: "_s + holder));
        else
            QVERIFY(holder.contains(u"\"first\""_s));
    }

    void sigtermLeaderHandsOverQuickly_data() {
        addSignalRows({{"SIGTERM", SIGTERM}, {"SIGINT (Ctrl-C)", SIGINT}});
    }
    void sigtermLeaderHandsOverQuickly() {
        QFETCH(int, sig);
        for (int i = 0; i < 3; ++i)
            launch(QStringLiteral("agent-%1").arg(i));
        QTRY_VERIFY(leader());
        AgentProcess* old = leader();
        // Every follower has seen the leader, so it waits on the lock's TTL, not on startup.
        for (const auto& a : m_agents)
            if (a.get() != old)
                QTRY_VERIFY(!a->events(QStringLiteral("leader-changed")).isEmpty() &&
                            a->events(QStringLiteral("leader-changed"))
                                    .last()
                                    .value(QStringLiteral("leader"))
                                    .toString() == old->id());
        const double termAt = nowMs();
        old->signal(sig);
        QVERIFY(old->process().waitForFinished(1000));
        QCOMPARE(old->process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(old->process().exitCode(), 0);
        QTRY_COMPARE(electedCount(), 2);
        AgentProcess* next = leader();
        QVERIFY(next && next != old);
        const double revokedAt =
            old->events(QStringLiteral("revoked")).last().value(QStringLiteral("t")).toDouble();
        const double electedAt =
            next->events(QStringLiteral("elected")).last().value(QStringLiteral("t")).toDouble();
        QCOMPARE(old->events(QStringLiteral("revoked"))
                     .last()
                     .value(QStringLiteral("reason"))
                     .toString(),
                 QStringLiteral("stopped"));
        QCOMPARE(old->count(QStringLiteral("stopped")), 1);
        qInfo("elected %.1f ms after the signal", electedAt - termAt);
        QVERIFY(revokedAt <= electedAt);
        QVERIFY(electedAt - termAt < 200);
    }

    void sigstopLeaderLongerThanTtl() {
        for (int i = 0; i < 3; ++i)
            launch(QStringLiteral("agent-%1").arg(i));
        QTRY_VERIFY(leader());
        AgentProcess* old = leader();
        old->signal(SIGSTOP);
        QTRY_COMPARE_WITH_TIMEOUT(electedCount(), 2, 5000);
        QTest::qWait(int(kTtlMs)); // frozen well past its TTL
        old->signal(SIGCONT);
        QTRY_COMPARE(old->count(QStringLiteral("revoked")), 1);
        QCOMPARE(old->events(QStringLiteral("revoked"))
                     .first()
                     .value(QStringLiteral("reason"))
                     .toString(),
                 QStringLiteral("expired"));
        const QList<Term> terms = allTerms(m_agents, nowMs());
        QCOMPARE(terms.size(), 2);
        const QString overlap = overlaps(terms);
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
        QVERIFY(terms[1].fence > terms[0].fence);
    }

    // Random kills, freezes, stops and restarts among four agents; then, from the JSON lines:
    // no overlapping terms, fences in order, and every leaderless gap explained by a fault.
    void randomCampaign() {
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("campaign seed %u", seed);
        QRandomGenerator rng(seed);
        struct Fault {
            double at;
            QString id;
            QString kind;
        };
        QList<Fault> faults;
        std::vector<AgentProcess*> ring;
        for (int i = 0; i < 4; ++i)
            ring.push_back(&launch(QStringLiteral("agent-%1").arg(i)));
        QTRY_VERIFY(leader());
        QElapsedTimer campaign;
        campaign.start();
        while (campaign.elapsed() < 30000) {
            // Aim at the leader most of the time: that is where failover happens.
            AgentProcess* target = rng.bounded(4) < 3 && leader() ? leader() : ring[rng.bounded(4)];
            const int slot = int(std::find(ring.begin(), ring.end(), target) - ring.begin());
            const QString id = target->id();
            switch (rng.bounded(4)) {
            case 0:
                faults.push_back({nowMs(), id, QStringLiteral("SIGKILL")});
                target->signal(SIGKILL);
                target->process().waitForFinished(2000);
                QTest::qWait(rng.bounded(200, 1500));
                ring[slot] = &launch(id);
                break;
            case 1:
                faults.push_back({nowMs(), id, QStringLiteral("SIGTERM")});
                target->signal(SIGTERM);
                QVERIFY(target->process().waitForFinished(2000));
                QCOMPARE(target->process().exitCode(), 0);
                QTest::qWait(rng.bounded(100, 800));
                ring[slot] = &launch(id);
                break;
            default:
                faults.push_back({nowMs(), id, QStringLiteral("SIGSTOP")});
                target->signal(SIGSTOP);
                QTest::qWait(rng.bounded(200, 2500)); // sometimes past the TTL
                target->signal(SIGCONT);
                break;
            }
            QTest::qWait(rng.bounded(300, 1200));
        }
        for (AgentProcess* a : ring)
            a->signal(SIGTERM);
        for (AgentProcess* a : ring)
            QVERIFY(a->process().waitForFinished(3000));
        const QList<Term> terms = allTerms(m_agents, nowMs());
        qInfo("%d faults, %d terms", int(faults.size()), int(terms.size()));
        QVERIFY(terms.size() >= 3); // failovers did happen
        const QString overlap = overlaps(terms);
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
        for (qsizetype i = 1; i < terms.size(); ++i) {
            QVERIFY2(terms[i].fence > terms[i - 1].fence, "fences out of order");
            const double gap = terms[i].start - terms[i - 1].end;
            if (gap < 50)
                continue;
            // A gap needs a fault on the agent that led before it, during its term.
            const bool explained = std::any_of(faults.begin(), faults.end(), [&](const Fault& f) {
                return f.id == terms[i - 1].id && f.at >= terms[i - 1].start - 1 &&
                       f.at <= terms[i - 1].end + 1;
            });
            QVERIFY2(explained,
                     qPrintable(QStringLiteral("unexplained gap of %1 ms after %2's term")
                                    .arg(gap)
                                    .arg(terms[i - 1].id)));
            QVERIFY2(gap <= kTtlMs + 500, qPrintable(QStringLiteral("gap of %1 ms").arg(gap)));
        }
    }

    // Given an agent, when a second one starts with the same --id, then the second warns that
    // the two share one presence entry (the election itself stays safe: tokens hold the lock).
    void theSameIdTwiceIsWarnedOf() {
        AgentProcess& first = launch(QStringLiteral("twin"));
        QTRY_VERIFY2(leader() == &first, qPrintable(first.standardError()));
        QTRY_VERIFY(!m_server.cli({u"HGET"_s, u"baton:{jobs}:members"_s, u"twin"_s}).isEmpty());
        AgentProcess& second = launch(QStringLiteral("twin"));
        QTRY_VERIFY(second.standardError().contains(u"another elector uses the id 'twin'"_s));
        QVERIFY(!first.standardError().contains(u"another elector"_s));
        QVERIFY(leader() == &first);
    }

    // Given an id with a newline, an escape code, a tab and a non-ASCII character, then every
    // stdout line is still one JSON object with the id in it (escaped), and stderr shows the
    // escapes.
    void hostileTextInAnIdIsEscaped() {
        const QString id = QString::fromUtf8("evil\n\x1b[31mred\t") + QChar(0x2603);
        AgentProcess& a = launch(id);
        QTRY_VERIFY(a.count(QStringLiteral("elected")) == 1);
        QVERIFY2(a.badLines().isEmpty(), qPrintable(a.badLines().value(0)));
        QCOMPARE(a.events(QStringLiteral("elected")).first().value(u"id"_s).toString(), id);
        const QString err = a.standardError();
        QVERIFY(err.contains(u"evil\\n\\x1b[31mred\\t"_s + QChar(0x2603)));
        for (const QChar ch : err)
            QVERIFY2(ch == u'\n' || ch.unicode() >= 0x20, "a raw control character on stderr");
    }

    void controlNeedsAllowControl() {
        AgentProcess& closed = launch(QStringLiteral("closed"));
        QTRY_VERIFY2(leader() == &closed, qPrintable(closed.standardError()));
        m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("baton:{jobs}:control"),
                      QStringLiteral("{\"to\":\"*\",\"cmd\":\"stop\"}")});
        m_server.cli(
            {QStringLiteral("PUBLISH"), QStringLiteral("baton:{jobs}:control"),
             QStringLiteral(
                 "{\"to\":\"closed\",\"cmd\":\"set\",\"ttl\":\"10s\",\"refresh\":\"2s\"}")});
        QTRY_VERIFY(closed.standardError().contains(u"--allow-control"));
        // Three more extends after the commands were ignored: still the old ttl and refresh.
        const int extends = closed.count(QStringLiteral("extended"));
        QTRY_VERIFY(closed.count(QStringLiteral("extended")) >= extends + 3);
        QVERIFY(closed.running());
        QVERIFY(lockPttl() <= kTtlMs);
        QCOMPARE(closed.count(QStringLiteral("revoked")), 0);
    }

    // Given anyone who can publish on the control channel, when they flood it with junk
    // (newlines, escape codes, invalid UTF-8, malformed JSON: 10,000 messages a second for 5 s),
    // then an agent that does not allow control says nothing of it but a note now and then, one
    // that does reports a bounded number of errors, every stdout line is valid JSON, stderr
    // carries no raw control character, and the leader keeps extending on time.
    void controlFloodIsBoundedAndEscaped() {
        AgentProcess& closed = launch(QStringLiteral("closed"), {QStringLiteral("--verbose")});
        QTRY_VERIFY2(leader() == &closed, qPrintable(closed.standardError()));
        AgentProcess& open = launch(QStringLiteral("open"), {QStringLiteral("--verbose"),
                                                             QStringLiteral("--allow-control")});
        QTRY_VERIFY(open.count(QStringLiteral("leader-changed")) > 0);
        const int extendsBefore = closed.count(QStringLiteral("extended"));

        redisContext* c = redisConnect("127.0.0.1", m_server.port());
        QVERIFY(c && !c->err);
        const QList<QByteArray> junk{"{\"to\":\"*\",\"cmd\":\"stop\"}\n\x1b[2J forged line\n",
                                     "{\"to\":\"*\",\"cmd\":\"\xff\xfe\"}",
                                     "{\"to\":\"*\",\"cmd\":", "\x07\x1b]0;title\x07",
                                     "{\"to\":\"*\",\"cmd\":\"pause\",\"ms\":\"soon\"}"};
        QElapsedTimer clock;
        clock.start();
        int sent = 0;
        for (int batch = 0; batch < 50; ++batch) { // 50 x 1000 messages, one batch per 100 ms
            for (int i = 0; i < 1000; ++i) {
                const QByteArray& m = junk[(batch + i) % junk.size()];
                redisAppendCommand(c, "PUBLISH baton:{jobs}:control %b", m.constData(),
                                   static_cast<size_t>(m.size()));
            }
            for (int i = 0; i < 1000; ++i) {
                void* reply = nullptr;
                QVERIFY(redisGetReply(c, &reply) == REDIS_OK);
                freeReplyObject(reply);
                ++sent;
            }
            const qint64 due = (batch + 1) * 100;
            if (clock.elapsed() < due)
                QTest::qWait(int(due - clock.elapsed()));
        }
        redisFree(c);
        qInfo("sent %d control messages in %lld ms", sent, clock.elapsed());
        // Every step of the leader's term went on: an extend each 200 ms for 5 s.
        QTRY_VERIFY(closed.count(QStringLiteral("extended")) >= extendsBefore + 20);
        QCOMPARE(closed.count(QStringLiteral("revoked")), 0);
        QVERIFY(closed.running() && open.running());

        for (AgentProcess* a : {&closed, &open}) {
            QVERIFY2(a->badLines().isEmpty(), qPrintable(a->badLines().value(0)));
            const QString err = a->standardError();
            for (const QChar ch : err)
                QVERIFY2(ch == u'\n' || ch.unicode() >= 0x20, "a raw control character on stderr");
            QVERIFY2(!err.contains(u"\uFFFD"), "invalid UTF-8 reached stderr");
            QVERIFY2(err.count(u'\n') < 40,
                     qPrintable(u"%1 lines on stderr"_s.arg(err.count(u'\n'))));
        }
        // The closed agent parsed nothing: no error event; the open one reported a few (a burst
        // of 5, then one a second), none with a raw newline.
        QCOMPARE(closed.count(QStringLiteral("error")), 0);
        const int errors = open.count(QStringLiteral("error"));
        QVERIFY2(errors >= 1 && errors <= 15, qPrintable(u"%1 error events"_s.arg(errors)));
        for (const QJsonObject& e : open.events(QStringLiteral("error")))
            QVERIFY(!e.value(QStringLiteral("reason")).toString().contains(u'\n'));
    }

    void controlCommandsWorkWhenAllowed() {
        AgentProcess& a = launch(QStringLiteral("steered"), {QStringLiteral("--allow-control")});
        AgentProcess& b = launch(QStringLiteral("other"), {QStringLiteral("--allow-control")});
        QTRY_VERIFY(leader());
        AgentProcess* l = leader();
        AgentProcess* f = l == &a ? &b : &a;
        auto send = [&](const QString& json) {
            m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("baton:{jobs}:control"), json});
        };
        // Malformed: reported as an error event, ignored.
        send(QStringLiteral("{\"to\":\"*\",\"cmd\":"));
        send(QStringLiteral("{\"to\":\"*\",\"cmd\":\"explode\"}"));
        send(QStringLiteral("{\"to\":\"*\",\"cmd\":\"pause\",\"ms\":1e300}"));
        QTRY_COMPARE(l->count(QStringLiteral("error")), 3);
        QVERIFY(l->events(QStringLiteral("error"))
                    .last()
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(u"24h"));
        QVERIFY(l->events(QStringLiteral("error"))
                    .first()
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(u"bad control message"));
        QVERIFY(l->running() && leader() == l);
        // set: the next extend uses the new ttl.
        send(QStringLiteral("{\"to\":\"%1\",\"cmd\":\"set\",\"ttl\":5000,\"refresh\":\"300ms\"}")
                 .arg(l->id()));
        QTRY_VERIFY(lockPttl() > 4000);
        // pause longer than the new ttl would be too slow; partition instead: extends fail,
        // it revokes at its deadline, the other takes over.
        send(QStringLiteral("{\"to\":\"*\",\"cmd\":\"set\",\"ttl\":\"1s\",\"refresh\":\"200ms\"}"));
        QTRY_VERIFY(lockPttl() <= kTtlMs);
        send(QStringLiteral("{\"to\":\"%1\",\"cmd\":\"partition\",\"ms\":1500}").arg(l->id()));
        QTRY_COMPARE_WITH_TIMEOUT(l->count(QStringLiteral("revoked")), 1, 3000);
        QCOMPARE(
            l->events(QStringLiteral("revoked")).first().value(QStringLiteral("reason")).toString(),
            QStringLiteral("error"));
        QTRY_COMPARE(f->count(QStringLiteral("elected")), 1);
        // pause the new leader past its TTL: the old one takes over; after the pause it
        // revokes as expired.
        send(QStringLiteral("{\"to\":\"%1\",\"cmd\":\"pause\",\"ms\":\"2s\"}").arg(f->id()));
        QTRY_COMPARE_WITH_TIMEOUT(l->count(QStringLiteral("elected")), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f->count(QStringLiteral("revoked")), 1, 5000);
        QCOMPARE(
            f->events(QStringLiteral("revoked")).first().value(QStringLiteral("reason")).toString(),
            QStringLiteral("expired"));
        const QString overlap = overlaps(allTerms(m_agents, nowMs()));
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
        // stop: both exit 0.
        send(QStringLiteral("{\"to\":\"*\",\"cmd\":\"stop\"}"));
        QVERIFY(a.process().waitForFinished(3000));
        QVERIFY(b.process().waitForFinished(3000));
        QCOMPARE(a.process().exitCode(), 0);
        QCOMPARE(b.process().exitCode(), 0);
    }

    // Given two agents that allow control, when the leader is told to resign, then it revokes
    // ("resigned"), releases, and the other takes over within milliseconds; it goes on running
    // and campaigns again after the hold-off. A follower told to resign does nothing.
    void resignHandsOverWithinMilliseconds() {
        AgentProcess& a = launch(QStringLiteral("first"), {QStringLiteral("--allow-control")});
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        AgentProcess& b = launch(QStringLiteral("second"), {QStringLiteral("--allow-control")});
        QTRY_VERIFY(m_server.cli({QStringLiteral("HEXISTS"), QStringLiteral("baton:{jobs}:members"),
                                  QStringLiteral("second")}) == u"1"_s);
        const auto send = [&](const QString& json) {
            m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("baton:{jobs}:control"), json});
        };
        send(QStringLiteral("{\"to\":\"second\",\"cmd\":\"resign\"}"));
        QTRY_VERIFY(b.standardError().contains(u"resign ignored: not the leader"));
        const double fence =
            a.events(QStringLiteral("elected")).first().value(u"fence"_s).toDouble();
        send(QStringLiteral("{\"to\":\"first\",\"cmd\":\"resign\",\"ms\":1500}"));
        QTRY_COMPARE(b.count(QStringLiteral("elected")), 1);
        QTRY_COMPARE(a.count(QStringLiteral("revoked")), 1);
        const QJsonObject revoked = a.events(QStringLiteral("revoked")).first();
        const QJsonObject elected = b.events(QStringLiteral("elected")).first();
        QCOMPARE(revoked.value(u"reason"_s).toString(), QStringLiteral("resigned"));
        const double gapMs = elected.value(u"t"_s).toDouble() - revoked.value(u"t"_s).toDouble();
        qInfo("resign: the other elected %.1f ms after the leader revoked", gapMs);
        QVERIFY(gapMs >= 0 && gapMs < 200);
        QVERIFY(elected.value(u"fence"_s).toDouble() > fence);
        QVERIFY(a.standardError().contains(u"control: resigned"));
        // Its presence entry says so at once, not only after the hold-off.
        QTRY_VERIFY_WITH_TIMEOUT(
            m_server
                .cli({QStringLiteral("HGET"), QStringLiteral("baton:{jobs}:members"),
                      QStringLiteral("first")})
                .contains(u"\"state\":\"follower\""),
            1000);
        // It stays in the game: no "stopped", still running, and after the hold-off a
        // follower that sees the new leader.
        const auto seesTheNewLeader = [&] {
            const auto changes = a.events(QStringLiteral("leader-changed"));
            return !changes.empty() && changes.last().value(u"leader"_s).toString() == u"second" &&
                   changes.last().value(u"t"_s).toDouble() >
                       revoked.value(u"t"_s).toDouble() + 1400; // after the hold-off
        };
        QTRY_VERIFY_WITH_TIMEOUT(seesTheNewLeader(), 4000);
        QVERIFY(a.running());
        QCOMPARE(a.count(QStringLiteral("stopped")), 0);
        QCOMPARE(a.count(QStringLiteral("started")), 1);
        QCOMPARE(a.count(QStringLiteral("elected")), 1);
        QVERIFY(leader() == &b);
        const QString overlap = overlaps(allTerms(m_agents, nowMs()));
        QVERIFY2(overlap.isEmpty(), qPrintable(overlap));
        // A stop still ends it gracefully.
        a.signal(SIGTERM);
        QVERIFY(a.process().waitForFinished(3000));
        QCOMPARE(a.process().exitCode(), 0);
    }

    void metricsEndpoint() {
        const int port = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("measured"),
                                 {QStringLiteral("--metrics-port"), QString::number(port)});
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        QByteArray body;
        QTRY_VERIFY([&] {
            QTcpSocket s;
            s.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
            if (!s.waitForConnected(1000))
                return false;
            s.write("GET /metrics HTTP/1.0\r\n\r\n");
            while (s.waitForReadyRead(1000))
                body += s.readAll();
            return body.contains("baton_is_leader");
        }());
        QVERIFY2(body.startsWith("HTTP/1.1 200"), body.constData());
        QVERIFY(body.contains("baton_is_leader{resource=\"jobs\",id=\"measured\"} 1"));
        QVERIFY(body.contains(
            "baton_election_attempts_total{resource=\"jobs\",id=\"measured\",status=\"won\"} 1"));
        QVERIFY(body.contains("baton_leadership_changes_total{resource=\"jobs\",id=\"measured\","
                              "change=\"elected\"} 1"));
        QVERIFY(body.contains(
            "baton_errors_total{resource=\"jobs\",id=\"measured\",operation=\"extend\"} 0"));
        QVERIFY(body.contains("baton_fence{"));
        QVERIFY(body.contains("baton_lease_remaining_seconds{"));
    }

    void scrapeUnderIdleConnectionsIsQuick() {
        const int port = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("busy"),
                                 {QStringLiteral("--metrics-port"), QString::number(port)});
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        QTRY_VERIFY(!httpGet(port, "/healthz").isEmpty());
        // 200 clients that connect and say nothing: a server that gives each a worker in turn,
        // or a worker pool they fill, makes the scrape wait for them.
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 200; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
            QVERIFY2(idle.back()->waitForConnected(1000),
                     qPrintable(u"connection %1: "_s.arg(i) + idle.back()->errorString()));
        }
        const int extendedBefore = a.count(QStringLiteral("extended"));
        double slowest = 0; // ms
        for (int i = 0; i < 5; ++i) {
            QTest::qWait(150); // the election goes on meanwhile
            QElapsedTimer timer;
            timer.start();
            const QByteArray response = httpGet(port, "/metrics");
            slowest = std::max(slowest, double(timer.nsecsElapsed()) / 1e6);
            QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(200).constData());
            QVERIFY(response.contains("baton_is_leader{resource=\"jobs\",id=\"busy\"} 1"));
        }
        qInfo("slowest of 5 scrapes under 200 idle connections: %.2f ms", slowest);
        QVERIFY2(slowest < 100, qPrintable(u"a scrape took %1 ms"_s.arg(slowest)));
        QTRY_VERIFY(a.count(QStringLiteral("extended")) > extendedBefore + 2);
        QVERIFY(leader() == &a);
    }

    void promtoolAcceptsAScrape() {
        const int leaderPort = baton::freeLoopbackPort(), followerPort = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("first"),
                                 {QStringLiteral("--metrics-port"), QString::number(leaderPort)});
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        launch(QStringLiteral("second"),
               {QStringLiteral("--metrics-port"), QString::number(followerPort)});
        QByteArray leaderScrape, followerScrape;
        QTRY_VERIFY((leaderScrape = bodyOf(httpGet(leaderPort, "/metrics"))).contains("} 1\n"));
        QTRY_VERIFY((followerScrape = bodyOf(httpGet(followerPort, "/metrics")))
                        .contains("baton_is_leader{resource=\"jobs\",id=\"second\"} 0"));
        for (const QByteArray& scrape : {leaderScrape, followerScrape}) {
            const QString complaints = promtoolComplaints(scrape);
            QVERIFY2(complaints.isEmpty(),
                     qPrintable(complaints + u"\n"_s + QString::fromUtf8(scrape)));
            QVERIFY(scrape.contains("baton_build_info{version=\""));
            QVERIFY(scrape.contains("baton_store_call_duration_seconds_bucket{resource=\"jobs\","));
            QVERIFY(scrape.contains("# TYPE baton_failover_seconds histogram"));
        }
        QVERIFY(leaderScrape.contains("baton_fence{resource=\"jobs\",id=\"first\"} "));
        QVERIFY(leaderScrape.contains(
            "baton_store_call_duration_seconds_count{resource=\"jobs\",id=\"first\","
            "operation=\"acquire\"} 1\n"));
        // A follower has no fence and no lease: no sample at all, not a 0.
        QVERIFY(followerScrape.contains("baton_is_leader{resource=\"jobs\",id=\"second\"} 0"));
        QVERIFY(!followerScrape.contains("baton_fence{"));
        QVERIFY(!followerScrape.contains("baton_lease_remaining_seconds{"));
    }

    void failoverTimeIsMeasured() {
        const int port = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("doomed"));
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        AgentProcess& b = launch(QStringLiteral("heir"),
                                 {QStringLiteral("--metrics-port"), QString::number(port)});
        QTRY_VERIFY(!httpGet(port, "/healthz").isEmpty());
        a.signal(SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(leader() == &b, 5000);
        const QByteArray scrape = bodyOf(httpGet(port, "/metrics"));
        QVERIFY2(scrape.contains("baton_failover_seconds_count{resource=\"jobs\",id=\"heir\"} 1"),
                 scrape.constData());
        // Seen from the end of the lease the heir last saw: its next try comes right then.
        QVERIFY(scrape.contains("baton_failover_seconds_bucket{resource=\"jobs\",id=\"heir\","
                                "le=\"0.5\"} 1"));
    }

    void healthzAndExactPaths() {
        const int port = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("checked"),
                                 {QStringLiteral("--metrics-port"), QString::number(port),
                                  QStringLiteral("--allow-control")});
        QTRY_VERIFY2(leader() == &a, qPrintable(a.standardError()));
        QTRY_VERIFY(httpGet(port, "/healthz").startsWith("HTTP/1.1 200"));
        QCOMPARE(bodyOf(httpGet(port, "/healthz")), QByteArray("ok\n"));
        for (const QByteArray path : {"/metricsfoo", "/", "/metrics/", "/healthzz"})
            QVERIFY2(httpGet(port, path).startsWith("HTTP/1.1 404"), path.constData());
        // Cut off from the store: not healthy, and it says why.
        m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("baton:{jobs}:control"),
                      QStringLiteral("{\"to\":\"checked\",\"cmd\":\"partition\",\"ms\":1500}")});
        QByteArray sick;
        QTRY_VERIFY((sick = httpGet(port, "/healthz")).startsWith("HTTP/1.1 503"));
        QVERIFY2(bodyOf(sick).contains("store call failed"), sick.constData());
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(port, "/healthz").startsWith("HTTP/1.1 200"), 5000);
    }

    void metricsListenOnLoopbackByDefault() {
        const int port = baton::freeLoopbackPort();
        AgentProcess& a = launch(QStringLiteral("local"),
                                 {QStringLiteral("--metrics-port"), QString::number(port)});
        QTRY_VERIFY(!httpGet(port, "/healthz").isEmpty());
        QFile tcp(QStringLiteral("/proc/net/tcp"));
        QVERIFY(tcp.open(QIODevice::ReadOnly));
        // 0100007F is 127.0.0.1 in /proc/net/tcp's byte order; state 0A is LISTEN.
        const QByteArray listening =
            u"0100007F:%1 00000000:0000 0A"_s.arg(port, 4, 16, QLatin1Char('0'))
                .toUpper()
                .toLatin1();
        QVERIFY2(tcp.readAll().contains(listening), listening.constData());
        QVERIFY(a.running());
    }
};

QTEST_GUILESS_MAIN(TestAgent)
#include "test_agent.moc"
