// The event log: the capped ring buffer model, its filter proxy, and the CSV / JSON exports.

#include "support/columns.h"
#include "support/lab_test_case.h"

#include "log/event_export.h"
#include "log/event_filter_model.h"
#include "log/event_log_model.h"
#include "style/lab_colors.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using baton::test::addColumns;

namespace {

LabEvent electorEvent(int i, const QString& name = u"extended"_s, int elector = 0) {
    LabEvent e;
    e.at = std::chrono::milliseconds(i);
    e.source = LabEvent::Source::Elector;
    e.elector = elector;
    e.identity = u"e%1"_s.arg(elector);
    e.name = name;
    e.fence = static_cast<quint64>(i);
    return e;
}

QVector<LabEvent> numbered(int from, int count) {
    QVector<LabEvent> events;
    for (int i = from; i < from + count; ++i)
        events.append(electorEvent(i));
    return events;
}

QVector<int> numbersOf(const QVector<LabEvent>& events) {
    QVector<int> out;
    for (const LabEvent& e : events)
        out.append(
            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(e.at).count()));
    return out;
}

// A minimal RFC 4180 reader, so the test checks the file and not the writer against itself.
QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row << field;
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row << field;
        rows << row;
    }
    return rows;
}

QVector<LabEvent> mixedEvents() {
    LabEvent elected = electorEvent(1500, u"elected"_s, 2);
    elected.at = 1500ms;
    elected.fence = 7;
    elected.deadline = 6450ms;
    elected.detail = u"took the lock, \"fresh\" term"_s;

    LabEvent crash;
    crash.at = 12345ms;
    crash.source = LabEvent::Source::Fault;
    crash.elector = 2;
    crash.identity = u"e2"_s;
    crash.name = u"crash"_s;
    crash.fence = 7;
    crash.until = 15s;
    crash.wasLeader = true;
    crash.detail = u"line one\nline two"_s;

    LabEvent error;
    error.at = 20s;
    error.source = LabEvent::Source::Lab;
    error.name = u"error"_s;
    error.detail = u"plain"_s;
    return {elected, crash, error};
}

// Writes mixedEvents() with `write` into a file of a fresh directory and reads it back; empty
// when that failed, with the reason in `error`.
template <class Write>
QByteArray exportedMixedEvents(Write write, const QString& fileName, QString& error) {
    QTemporaryDir dir;
    const QString path = dir.filePath(fileName);
    if (!dir.isValid() || !write(mixedEvents(), path, &error))
        return {};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = u"cannot read back "_s + path;
        return {};
    }
    return file.readAll();
}

} // namespace

class TestEventLog : public baton::test::LabTestCase {
    Q_OBJECT

private Q_SLOTS:
    // Given a log with a cap, when batches arrive, then it holds the newest `capacity` events in
    // order, inserting each batch with one insert and dropping with at most one remove.
    void ringKeepsNewest_data() {
        addColumns<int, QVector<int>>("capacity", "batches");
        QTest::newRow("under the cap") << 10 << QVector<int>{3, 4};
        QTest::newRow("exactly the cap") << 10 << QVector<int>{5, 5};
        QTest::newRow("one past") << 10 << QVector<int>{10, 1};
        QTest::newRow("batch larger than the cap") << 10 << QVector<int>{4, 25};
        QTest::newRow("first batch larger") << 10 << QVector<int>{13};
        QTest::newRow("wraps many times") << 7 << QVector<int>{3, 5, 1, 6, 7, 2, 9, 4, 4};
        QTest::newRow("cap of one") << 1 << QVector<int>{1, 3, 1};
        QTest::newRow("default cap")
            << EventLogModel::kDefaultCapacity << QVector<int>{6000, 6000, 100};
    }
    void ringKeepsNewest() {
        QFETCH(int, capacity);
        QFETCH(QVector<int>, batches);

        EventLogModel model;
        EventFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        if (capacity != EventLogModel::kDefaultCapacity)
            model.setCapacity(capacity);
        QCOMPARE(model.capacity(), capacity);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        int next = 0;
        for (int size : batches) {
            inserted.clear();
            removed.clear();
            model.addEvents(numbered(next, size));
            next += size;
            QCOMPARE(inserted.size(), 1);
            QVERIFY(removed.size() <= 1);

            const int expected = std::min(next, capacity);
            QCOMPARE(model.rowCount(), expected);
            QCOMPARE(proxy.rowCount(), expected);
            QVector<int> newest;
            for (int i = next - expected; i < next; ++i)
                newest.append(i);
            QCOMPARE(numbersOf(model.events()), newest);
            // The first and last rows as a view sees them.
            QCOMPARE(
                model.index(0, EventLogModel::Fence).data(EventLogModel::RawRole).toULongLong(),
                static_cast<quint64>(newest.first()));
            QCOMPARE(model.index(expected - 1, EventLogModel::Fence)
                         .data(EventLogModel::RawRole)
                         .toULongLong(),
                     static_cast<quint64>(newest.last()));
        }
        QCOMPARE(reset.size(), 0);
    }

    void emptyBatchChangesNothing() {
        EventLogModel model;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.addEvents({});
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(model.rowCount(), 0);
    }

    // Given a full, wrapped ring, when the capacity shrinks, the newest rows stay; when it grows,
    // nothing is lost and more rows fit.
    void setCapacityKeepsNewest() {
        EventLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(5);
        model.addEvents(numbered(0, 8)); // wrapped: rows 3..7
        model.setCapacity(3);
        QCOMPARE(numbersOf(model.events()), (QVector<int>{5, 6, 7}));
        model.setCapacity(6);
        QCOMPARE(numbersOf(model.events()), (QVector<int>{5, 6, 7}));
        model.addEvents(numbered(8, 4));
        QCOMPARE(numbersOf(model.events()), (QVector<int>{6, 7, 8, 9, 10, 11}));
        model.setCapacity(0); // at least one
        QCOMPARE(model.capacity(), 1);
        QCOMPARE(numbersOf(model.events()), (QVector<int>{11}));
    }

    void clearEmptiesTheLog() {
        EventLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCapacity(4);
        model.addEvents(numbered(0, 6));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.events().isEmpty());
        model.addEvents(numbered(10, 2));
        QCOMPARE(numbersOf(model.events()), (QVector<int>{10, 11}));
    }

    void displayAndRawValues() {
        EventLogModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addEvents(mixedEvents());
        QCOMPARE(model.columnCount(), int(EventLogModel::ColumnCount));

        auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        // elected
        QCOMPARE(cell(0, EventLogModel::Time).toString(), u"1.500"_s);
        QCOMPARE(cell(0, EventLogModel::Time, EventLogModel::RawRole).toLongLong(),
                 qint64(1'500'000'000));
        QCOMPARE(cell(0, EventLogModel::Elector).toString(), u"e2"_s);
        QCOMPARE(cell(0, EventLogModel::Elector, EventLogModel::RawRole).toInt(), 2);
        QCOMPARE(cell(0, EventLogModel::Event).toString(), u"elected"_s);
        QCOMPARE(cell(0, EventLogModel::Fence).toString(), u"7"_s);
        QCOMPARE(cell(0, EventLogModel::Fence, EventLogModel::RawRole).toULongLong(), quint64(7));
        QVERIFY(cell(0, EventLogModel::Detail).toString().contains(u"deadline 6.450 s"_s));
        QCOMPARE(cell(0, EventLogModel::Detail, EventLogModel::RawRole).toString(),
                 mixedEvents()[0].detail);
        // fault
        QCOMPARE(cell(1, EventLogModel::Time).toString(), u"12.345"_s);
        QCOMPARE(cell(1, EventLogModel::Event).toString(), u"fault: crash"_s);
        QCOMPARE(cell(1, EventLogModel::Event, EventLogModel::RawRole).toString(), u"crash"_s);
        QCOMPARE(cell(1, EventLogModel::Event, EventLogModel::SourceRole).toString(), u"fault"_s);
        QVERIFY(cell(1, EventLogModel::Detail).toString().contains(u"until 15.000 s"_s));
        // lab error
        QCOMPARE(cell(2, EventLogModel::Event).toString(), u"lab: error"_s);
        QCOMPARE(cell(2, EventLogModel::Fence).toString(), QString());
        QCOMPARE(cell(2, EventLogModel::Elector, EventLogModel::ElectorIdRole).toInt(), -1);

        // Colours for the events that matter; the view's own for routine ones.
        for (int row : {0, 1, 2})
            QVERIFY(cell(row, EventLogModel::Event, Qt::ForegroundRole).value<QColor>().isValid());
        model.addEvents({electorEvent(30'000)});
        QVERIFY(!cell(3, EventLogModel::Event, Qt::ForegroundRole).isValid());

        QCOMPARE(model.headerData(EventLogModel::Time, Qt::Horizontal).toString(), u"Time (s)"_s);
        QCOMPARE(model.headerData(EventLogModel::Detail, Qt::Horizontal).toString(), u"Detail"_s);
    }

    void colorsReadOnLightAndDark() {
        for (const LabEvent& e : mixedEvents()) {
            const QColor light = eventColor(e, false);
            const QColor dark = eventColor(e, true);
            // Text on white needs a dark colour, text on near-black a light one.
            QVERIFY2(light.lightness() < 128, qPrintable(e.name));
            QVERIFY2(dark.lightness() > 128, qPrintable(e.name));
        }
    }

    // Given events of three electors and several kinds, the filter keeps what the sets name.
    void filters_data() {
        // expected: "identity/name" per kept row, in order
        addColumns<QStringList, QStringList, QStringList>("electors", "events", "expected");
        QTest::newRow("no filter") << QStringList{} << QStringList{}
                                   << QStringList{u"e0/elected"_s, u"e1/extended"_s, u"e2/crash"_s,
                                                  u"e0/revoked"_s, u"/error"_s};
        QTest::newRow("one elector") << QStringList{u"e0"_s} << QStringList{}
                                     << QStringList{u"e0/elected"_s, u"e0/revoked"_s};
        QTest::newRow("two electors") << QStringList{u"e1"_s, u"e2"_s} << QStringList{}
                                      << QStringList{u"e1/extended"_s, u"e2/crash"_s};
        QTest::newRow("events") << QStringList{} << QStringList{u"elected"_s, u"revoked"_s}
                                << QStringList{u"e0/elected"_s, u"e0/revoked"_s};
        QTest::newRow("by label") << QStringList{} << QStringList{u"fault: crash"_s}
                                  << QStringList{u"e2/crash"_s};
        QTest::newRow("both") << QStringList{u"e0"_s, u"e2"_s} << QStringList{u"crash"_s}
                              << QStringList{u"e2/crash"_s};
        QTest::newRow("nothing matches")
            << QStringList{u"nobody"_s} << QStringList{} << QStringList{};
    }
    void filters() {
        QFETCH(QStringList, electors);
        QFETCH(QStringList, events);
        QFETCH(QStringList, expected);

        EventLogModel model;
        EventFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        LabEvent crash = electorEvent(3, u"crash"_s, 2);
        crash.source = LabEvent::Source::Fault;
        LabEvent labError;
        labError.source = LabEvent::Source::Lab;
        labError.name = u"error"_s;
        model.addEvents({electorEvent(1, u"elected"_s, 0), electorEvent(2, u"extended"_s, 1), crash,
                         electorEvent(4, u"revoked"_s, 0), labError});

        proxy.setElectorFilter(QSet<QString>(electors.begin(), electors.end()));
        proxy.setEventFilter(QSet<QString>(events.begin(), events.end()));
        QStringList kept;
        for (int row = 0; row < proxy.rowCount(); ++row) {
            const QModelIndex index = proxy.index(row, 0);
            kept << index.data(EventLogModel::IdentityRole).toString() + u'/' +
                        index.data(EventLogModel::NameRole).toString();
        }
        QCOMPARE(kept, expected);

        // Back to everything.
        proxy.setElectorFilter({});
        proxy.setEventFilter({});
        QCOMPARE(proxy.rowCount(), model.rowCount());
    }

    // Given routine rows hidden, then no "extended" row shows, unless the event filter asks
    // for it by name; the other rows stay.
    void hidesRoutineRows() {
        EventLogModel model;
        EventFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addEvents({electorEvent(1, u"elected"_s, 0), electorEvent(2, u"extended"_s, 0),
                         electorEvent(3, u"extended"_s, 0), electorEvent(4, u"revoked"_s, 0)});
        proxy.setHideRoutine(true);
        QVERIFY(proxy.hidesRoutine());
        QCOMPARE(proxy.rowCount(), 2);
        QCOMPARE(proxy.index(1, 0).data(EventLogModel::NameRole).toString(), u"revoked"_s);
        proxy.setEventFilter({u"extended"_s});
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setEventFilter({});
        proxy.setHideRoutine(false);
        QCOMPARE(proxy.rowCount(), 4);
    }

    // Given a filter, when the ring drops rows under it, the proxy follows.
    void filterFollowsTheRing() {
        EventLogModel model;
        model.setCapacity(6);
        EventFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setElectorFilter({u"e1"_s});
        for (int i = 0; i < 20; ++i)
            model.addEvents({electorEvent(i, u"extended"_s, i % 3)});
        // The ring holds 14..19; of those 16 and 19 are e1's.
        QCOMPARE(proxy.rowCount(), 2);
        QCOMPARE(proxy.index(0, EventLogModel::Fence).data(EventLogModel::RawRole).toULongLong(),
                 quint64(16));
        QCOMPARE(proxy.index(1, EventLogModel::Fence).data(EventLogModel::RawRole).toULongLong(),
                 quint64(19));
    }

    void csvRoundTrip() {
        QString error;
        const QByteArray written = exportedMixedEvents(exportEventsCsv, u"events.csv"_s, error);
        QVERIFY2(!written.isEmpty(), qPrintable(error));
        const QString text = QString::fromUtf8(written);
        QVERIFY(text.endsWith(u"\r\n"_s));
        const QList<QStringList> rows = parseCsv(text);
        QCOMPARE(rows.size(), 4);
        QCOMPARE(rows[0], (QStringList{u"time_s"_s, u"elector"_s, u"identity"_s, u"source"_s,
                                       u"event"_s, u"fence"_s, u"deadline_s"_s, u"detail"_s}));
        QCOMPARE(rows[1], (QStringList{u"1.500"_s, u"2"_s, u"e2"_s, u"elector"_s, u"elected"_s,
                                       u"7"_s, u"6.450"_s, u"took the lock, \"fresh\" term"_s}));
        QCOMPARE(rows[2], (QStringList{u"12.345"_s, u"2"_s, u"e2"_s, u"fault"_s, u"crash"_s, u"7"_s,
                                       u"15.000"_s, u"line one\nline two"_s}));
        QCOMPARE(rows[3], (QStringList{u"20.000"_s, QString(), QString(), u"lab"_s, u"error"_s,
                                       u"0"_s, QString(), u"plain"_s}));
        // The quoting itself, as RFC 4180 spells it.
        QVERIFY(text.contains(u"\"took the lock, \"\"fresh\"\" term\""_s));
    }

    void csvField_data() {
        addColumns<QString, QString>("value", "written");
        QTest::newRow("plain") << u"abc"_s << u"abc"_s;
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("comma") << u"a,b"_s << u"\"a,b\""_s;
        QTest::newRow("quote") << u"say \"hi\""_s << u"\"say \"\"hi\"\"\""_s;
        QTest::newRow("newline") << u"a\nb"_s << u"\"a\nb\""_s;
        QTest::newRow("carriage return") << u"a\rb"_s << u"\"a\rb\""_s;
    }
    void csvField() {
        QFETCH(QString, value);
        QFETCH(QString, written);
        QCOMPARE(baton::lab::csvField(value), written);
    }

    void jsonRoundTrip() {
        QString error;
        const QByteArray written = exportedMixedEvents(exportEventsJson, u"events.json"_s, error);
        QVERIFY2(!written.isEmpty(), qPrintable(error));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(written, &parseError);
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        QVERIFY(doc.isArray());
        const QJsonArray array = doc.array();
        QCOMPARE(array.size(), 3);

        const QJsonObject elected = array[0].toObject();
        QCOMPARE(elected.keys().size(), 8);
        QVERIFY(elected[u"time_s"_s].isDouble());
        QCOMPARE(elected[u"time_s"_s].toDouble(), 1.5);
        QCOMPARE(elected[u"elector"_s].toInt(), 2);
        QCOMPARE(elected[u"identity"_s].toString(), u"e2"_s);
        QCOMPARE(elected[u"source"_s].toString(), u"elector"_s);
        QCOMPARE(elected[u"event"_s].toString(), u"elected"_s);
        QVERIFY(elected[u"fence"_s].isDouble());
        QCOMPARE(elected[u"fence"_s].toInteger(), 7);
        QCOMPARE(elected[u"deadline_s"_s].toDouble(), 6.45);
        QCOMPARE(elected[u"detail"_s].toString(), mixedEvents()[0].detail);

        const QJsonObject crash = array[1].toObject();
        QCOMPARE(crash[u"time_s"_s].toDouble(), 12.345);
        QCOMPARE(crash[u"source"_s].toString(), u"fault"_s);
        QCOMPARE(crash[u"deadline_s"_s].toDouble(), 15.0);
        QCOMPARE(crash[u"detail"_s].toString(), u"line one\nline two"_s);

        const QJsonObject labError = array[2].toObject();
        QVERIFY(labError[u"elector"_s].isNull());
        QVERIFY(labError[u"deadline_s"_s].isNull());
        QCOMPARE(labError[u"fence"_s].toInteger(), 0);
    }

    void emptyExportIsValid() {
        QTemporaryDir dir;
        QString error;
        QVERIFY(exportEventsJson({}, dir.filePath(u"e.json"_s), &error));
        QVERIFY(exportEventsCsv({}, dir.filePath(u"e.csv"_s), &error));
        QFile json(dir.filePath(u"e.json"_s));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY(QJsonDocument::fromJson(json.readAll()).isArray());
    }

    // Given a path that cannot be written, the export fails with an error naming the path.
    void unwritablePath_data() {
        // name: relative to a temporary directory
        addColumns<bool, QString>("json", "name");
        QTest::newRow("csv, missing directory") << false << u"missing/dir/events.csv"_s;
        QTest::newRow("json, missing directory") << true << u"missing/dir/events.json"_s;
        QTest::newRow("csv, a directory") << false << u"adir"_s;
        QTest::newRow("json, a directory") << true << u"adir"_s;
    }
    void unwritablePath() {
        QFETCH(bool, json);
        QFETCH(QString, name);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkdir(u"adir"_s));
        const QString path = dir.filePath(name);
        QString error;
        const bool ok = json ? exportEventsJson(mixedEvents(), path, &error)
                             : exportEventsCsv(mixedEvents(), path, &error);
        QVERIFY(!ok);
        QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error));
        // And a reason after the path.
        QVERIFY2(error.size() > path.size() + 16, qPrintable(error));
        // Without an error string it still fails cleanly.
        QVERIFY(!(json ? exportEventsJson({}, path, nullptr) : exportEventsCsv({}, path, nullptr)));
    }
};

QTEST_MAIN(TestEventLog)
#include "test_event_log.moc"
