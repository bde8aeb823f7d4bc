// The real baton-sim binary: exit codes, messages for bad files and flags, the drift scenario's
// failure, and the JSON report.

#include "support/baton_sim_process.h"
#include "support/columns.h"
#include "support/no_display.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using baton::test::addColumns;

namespace {

using Result = baton::test::SimResult;

Result baton_sim(const QStringList& args, const QString& workingDirectory = {}) {
    return baton::test::runBatonSim(args, workingDirectory);
}

QString scenario(const char* name) {
    return QStringLiteral(BATON_SCENARIO_DIR "/") + QString::fromLatin1(name) + u".json"_qs;
}

// The source tree: the README and scripts beside the example scenarios.
QString sourceDir() {
    return QStringLiteral(BATON_SCENARIO_DIR "/../..");
}

// One JUnit file as read back: its test cases (name and failure message, empty when it passed).
struct JUnit {
    QString error;
    QList<std::pair<QString, QString>> cases;
};

JUnit readJUnit(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {u"cannot open "_qs + path, {}};
    JUnit result;
    QXmlStreamReader xml(&f);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == u"testcase")
            result.cases.push_back({xml.attributes().value(u"name"_qs).toString(), {}});
        else if (xml.name() == u"failure" && !result.cases.isEmpty())
            result.cases.back().second = xml.attributes().value(u"message"_qs).toString();
    }
    if (xml.hasError())
        result.error = xml.errorString();
    return result;
}

// The README's sample of `command`: the lines after "$ command" up to the next "$ " or the end
// of its code block.
QStringList readmeSample(const QString& command) {
    QFile f(sourceDir() + u"/README.md"_qs);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n');
    const qsizetype start = lines.indexOf(u"$ "_qs + command);
    if (start < 0)
        return {};
    QStringList sample;
    for (qsizetype i = start + 1; i < lines.size(); ++i) {
        if (lines[i].startsWith(u"$ "_qs) || lines[i].startsWith(u"```"_qs))
            break;
        sample << lines[i];
    }
    return sample;
}

// What a run prints, as lines, without the one that differs from machine to machine.
QStringList withoutWallTime(const QString& text) {
    QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    lines.removeIf([](const QString& l) { return l.startsWith(u"  ran in "_qs); });
    return lines;
}

} // namespace

class TestBatonSim : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const char* name, const QByteArray& text) {
        const QString path = m_dir.filePath(QString::fromLatin1(name));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(text);
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Given a bad scenario file, then exit 2 with the line and the reason.
    void badScenarioFileExits2WithLineAndReason_data() {
        addColumns<QByteArray, int, QString>("text", "line", "reason");
        QTest::newRow("wrong JSON")
            << QByteArray("{\n  \"electors\": 3,\n  \"duration\": \"10s\"\n  \"seed\": 1\n}\n") << 4
            << u"not valid JSON"_qs;
        QTest::newRow("unknown fault")
            << QByteArray("{\n  \"electors\": 3,\n  \"faults\": [\n    {\"at\": \"1s\", \"type\": "
                          "\"crash\"},\n"
                          "    {\"at\": \"2s\", \"type\": \"explode\", \"target\": 1}\n  ]\n}\n")
            << 5 << u"unknown fault type 'explode'"_qs;
        QTest::newRow("negative time")
            << QByteArray(
                   "{\n  \"faults\": [\n    {\"type\": \"pause\",\n     \"at\": \"-5s\"}\n  ]\n}\n")
            << 4 << u"faults[0].at: must not be negative"_qs;
        QTest::newRow("unknown field")
            << QByteArray("{\n  \"electors\": 3,\n  \"tll\": \"5s\"\n}\n") << 3
            << u"unknown field 'tll'"_qs;
        QTest::newRow("target out of range")
            << QByteArray("{\n  \"electors\": 3,\n  \"faults\": [\n    {\"at\": \"1s\", \"type\": "
                          "\"crash\", \"target\": 7}\n  ]\n}\n")
            << 4 << u"elector 7 does not exist"_qs;
        QTest::newRow("unknown target")
            << QByteArray("{\n  \"faults\": [\n    {\"at\": \"1s\",\n     \"type\": \"crash\",\n"
                          "     \"target\": \"boss\"}\n  ]\n}\n")
            << 5 << u"unknown target 'boss'"_qs;
        QTest::newRow("bad duration") << QByteArray("{\n  \"ttl\": \"5 parsecs\"\n}\n") << 2
                                      << u"bad duration '5 parsecs'"_qs;
        QTest::newRow("bad timing")
            << QByteArray("{\n  \"ttl\": \"2s\",\n  \"refresh\": \"1s\"\n}\n") << 3
            << u"must be below ttl / 2"_qs;
        QTest::newRow("not an object") << QByteArray("[1, 2]") << 1 << u"expected a JSON object"_qs;
        QTest::newRow("duplicate field")
            << QByteArray("{\n  \"electors\": 3,\n  \"ttl\": \"5s\",\n  \"electors\": 4\n}\n") << 4
            << u"duplicate field 'electors'"_qs;
        QTest::newRow("escaped NUL") << QByteArray("{\n  \"name\": \"a\\u0000b\"\n}\n") << 2
                                     << u"name: a string must not contain a NUL character"_qs;
        QTest::newRow("raw NUL") << QByteArray("{\n  \"electors\": 3,\n  \"name\": \"a\0b\"\n}\n",
                                               37)
                                 << 3 << u"not valid JSON"_qs;
        // Found by fuzzing (tests/fuzz/corpus/scenario_file/): an uncaught exception (abort),
        // undefined behaviour (a double beyond int64), memory growing with depth squared.
        QTest::newRow("number beyond a double")
            << QByteArray("{\n  \"electors\": 3,\n  \"seed\": 1e400\n}\n") << 3
            << u"not valid JSON: number overflow parsing '1e400'"_qs;
        QTest::newRow("duration beyond 292 years")
            << QByteArray("{\n  \"duration\": 1e13\n}\n") << 2
            << u"duration: out of range, got 1e+13 ms (at most 9e12)"_qs;
        QTest::newRow("deep nesting") << QByteArray("{\n  \"name\": " + QByteArray(100'000, '[') +
                                                    QByteArray(100'000, ']') + "\n}\n")
                                      << 2 << u"nested deeper than 32 levels"_qs;
    }
    void badScenarioFileExits2WithLineAndReason() {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(QString, reason);
        const Result r = baton_sim({write("bad.json", text)});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"line "_qs + QString::number(line) + u":"_qs), qPrintable(r.err));
        QVERIFY2(r.err.contains(reason), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void badFlagsExit2_data() {
        addColumns<QStringList, QString>("args", "message");
        QTest::newRow("faults") << QStringList{u"--faults"_qs, u"sometimes"_qs}
                                << u"none or random"_qs;
        QTest::newRow("electors") << QStringList{u"--electors"_qs, u"0"_qs} << u"--electors"_qs;
        QTest::newRow("duration") << QStringList{u"--duration"_qs, u"soon"_qs}
                                  << u"bad duration"_qs;
        QTest::newRow("unknown") << QStringList{u"--frobnicate"_qs} << u"frobnicate"_qs;
        QTest::newRow("two files") << QStringList{u"a.json"_qs, u"b.json"_qs} << u"at most one"_qs;
        QTest::newRow("an endless file") << QStringList{u"/dev/zero"_qs} << u"larger than 4 MiB"_qs;
        QTest::newRow("missing file")
            << QStringList{u"/nonexistent/x.json"_qs} << u"cannot read"_qs;
        QTest::newRow("drift") << QStringList{u"--max-drift"_qs, u"0.7"_qs} << u"maxDrift"_qs;
        QTest::newRow("refresh") << QStringList{u"--refresh"_qs, u"3s"_qs} << u"ttl / 2"_qs;
        // outside text is escaped in the message, as tune's are
        QTest::newRow("escaped") << QStringList{u"--seeds"_qs, u"2\x1b[31m"_qs}
                                 << u"got '2\\x1b[31m'"_qs;
    }
    void badFlagsExit2() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Result r = baton_sim(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void helpAndVersion() {
        const Result help = baton_sim({u"--help"_qs});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(u"--max-drift"_qs));
        QVERIFY(help.out.contains(u"SCENARIO.json"_qs));
        const Result version = baton_sim({u"--version"_qs});
        QCOMPARE(version.code, 0);
        QVERIFY(version.out.startsWith(u"baton-sim "_qs));
    }

    // Every example but the drift one is safe.
    void examplesAreSafe_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"leader-crash", "graceful-handover", "gc-pause", "partition-leader",
                              "ttl-stretched", "polling-only-vs-push"})
            QTest::newRow(n) << scenario(n);
    }
    void examplesAreSafe() {
        QFETCH(QString, name);
        const Result r = baton_sim({name});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(u"verdict: SAFE"_qs));
        QVERIFY(r.out.contains(u"failovers:"_qs));
    }

    // Given clock drift beyond what the electors assume, then exit 1 with the first violation,
    // its seed and virtual time.
    void driftScenarioExits1() {
        const Result r = baton_sim({scenario("clock-drift")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.contains(u"verdict: UNSAFE"_qs));
        QVERIFY2(r.err.contains(u"first violation: seed 1 at t=25."_qs), qPrintable(r.err));
        QVERIFY(r.err.contains(u"overlap"_qs));
        QVERIFY(r.err.contains(u"--seed 1"_qs));
    }

    // The JSON report has the figures.
    void jsonReport() {
        const Result r = baton_sim({scenario("clock-drift"), u"--json"_qs});
        QCOMPARE(r.code, 1);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o[u"safe"_qs].toBool(true), false);
        QCOMPARE(o[u"overlaps"_qs].toInt(), 1);
        QCOMPARE(o[u"violations"_qs].toArray().size(), 1);
        QVERIFY(o[u"failoverLatency"_qs].toObject()[u"count"_qs].toInt() >= 1);
        QCOMPARE(o[u"config"_qs].toObject()[u"electors"_qs].toInt(), 3);
    }

    // Given --junit, then one test case per seed; a failure with the violation for the drift
    // scenario, and for none of a safe campaign's seeds.
    void junitReport_data() {
        addColumns<QStringList, int, int, QString>("args", "code", "cases", "failure");
        QTest::newRow("drift scenario")
            << QStringList{scenario("clock-drift")} << 1 << 1 << u"overlap: node-1 (fence 2)"_qs;
        QTest::newRow("safe campaign")
            << QStringList{u"--seeds"_qs, u"4"_qs, u"--duration"_qs, u"10m"_qs} << 0 << 4
            << QString();
        QTest::newRow("drift campaign")
            << QStringList{scenario("clock-drift"), u"--seeds"_qs, u"3"_qs} << 1 << 3
            << u"overlap"_qs;
    }
    void junitReport() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(int, cases);
        QFETCH(QString, failure);
        const QString path = m_dir.filePath(u"junit.xml"_qs);
        QFile::remove(path);
        const Result r = baton_sim(args + QStringList{u"--junit"_qs, path});
        QCOMPARE(r.code, code);
        const JUnit junit = readJUnit(path);
        QVERIFY2(junit.error.isEmpty(), qPrintable(junit.error));
        QCOMPARE(junit.cases.size(), cases);
        for (const auto& [name, message] : junit.cases) {
            QVERIFY2(name.contains(u"seed "_qs), qPrintable(name));
            if (failure.isEmpty())
                QVERIFY2(message.isEmpty(), qPrintable(message));
        }
        if (!failure.isEmpty())
            QVERIFY2(junit.cases.front().second.contains(failure),
                     qPrintable(junit.cases.front().second));
    }

    // Given a scenario whose name needs escaping, then the JUnit file is still valid XML.
    void junitEscapesText() {
        const QString file = write("odd.json", "{\"name\": \"a<b>&\\\"c\\u0001\", \"electors\": 2, "
                                               "\"duration\": \"10s\"}\n");
        const QString path = m_dir.filePath(u"odd.xml"_qs);
        QCOMPARE(baton_sim({file, u"--junit"_qs, path}).code, 0);
        const JUnit junit = readJUnit(path);
        QVERIFY2(junit.error.isEmpty(), qPrintable(junit.error));
        QCOMPARE(junit.cases.size(), 1);
        QVERIFY2(junit.cases.front().first.startsWith(u"a<b>&\"c"_qs),
                 qPrintable(junit.cases.front().first));
    }

    void junitToAnUnwritablePathExits2() {
        const Result r = baton_sim({u"--junit"_qs, u"/nonexistent/dir/x.xml"_qs});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(u"cannot write"_qs), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    // The README's sample outputs are what this build prints (the wall time aside): run the
    // README's exact commands from the source tree.
    void readmeSamplesAreCurrent_data() {
        QTest::addColumn<QString>("command");
        QTest::newRow("a run") << u"baton-sim --duration 24h --seed 1"_qs;
        QTest::newRow("drift")
            << u"baton-sim resources/scenarios/clock-drift.json; echo \"exit $?\""_qs;
    }
    void readmeSamplesAreCurrent() {
        QFETCH(QString, command);
        const QStringList sample = readmeSample(command);
        QVERIFY2(!sample.isEmpty(),
                 qPrintable(u"no sample of '"_qs + command + u"' in README.md"_qs));
        QString args = command.section(u' ', 1);
        const bool echoesExit = args.endsWith(u"; echo \"exit $?\""_qs);
        if (echoesExit)
            args = args.section(u';', 0, 0);
        const Result r = baton_sim(args.split(u' '), sourceDir());
        QString printed = r.out + r.err;
        if (echoesExit)
            printed += u"exit "_qs + QString::number(r.code) + u'\n';
        const QStringList expected = withoutWallTime(sample.join(u'\n'));
        const QStringList actual = withoutWallTime(printed);
        for (qsizetype i = 0; i < std::max(expected.size(), actual.size()); ++i)
            QCOMPARE(actual.value(i), expected.value(i));
    }

    // Given no display, then scripts/run.sh says so, with xvfb-run and baton-sim, before it
    // installs or builds anything.
    void runScriptWithoutADisplaySaysHowToRunIt() {
        QProcess p;
        p.setProcessEnvironment(baton::test::withoutADisplay());
        p.start(sourceDir() + u"/scripts/run.sh"_qs, {});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(u"xvfb-run scripts/run.sh"_qs), qPrintable(err));
        QVERIFY2(err.contains(u"baton-sim"_qs), qPrintable(err));
    }

    // A campaign with drift beyond the assumption finds unsafe seeds and names the worst.
    void campaignBeyondDriftExits1() {
        const Result r = baton_sim({u"--seeds"_qs, u"20"_qs, u"--duration"_qs, u"30m"_qs,
                                    u"--drift"_qs, u"0.05"_qs, u"--max-drift"_qs, u"0.01"_qs});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.contains(u"worst seed: "_qs));
        QVERIFY(r.err.contains(u"UNSAFE"_qs));
    }
};

QTEST_GUILESS_MAIN(TestBatonSim)
#include "test_baton_sim.moc"
