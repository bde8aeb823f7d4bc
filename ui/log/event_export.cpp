#include "log/event_export.h"

#include "log/event_log_model.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cmath>

namespace baton::lab {

using namespace Qt::StringLiterals;

namespace {

// Readers of the file join on these; both formats use the same order.
const QStringList& fieldNames() {
    static const QStringList names{QStringLiteral("time_s"),     QStringLiteral("elector"),
                                   QStringLiteral("identity"),   QStringLiteral("source"),
                                   QStringLiteral("event"),      QStringLiteral("fence"),
                                   QStringLiteral("deadline_s"), QStringLiteral("detail")};
    return names;
}

LabTime deadlineOf(const LabEvent& e) {
    return e.source == LabEvent::Source::Fault ? e.until : e.deadline;
}

// Millisecond precision, the same value the CSV prints, so both exports agree.
double seconds(LabTime t) {
    return std::round(std::chrono::duration<double, std::milli>(t).count()) / 1000.0;
}

bool writeFile(const QString& path, const QByteArray& bytes, QString* error) {
    // QSaveFile: a failed export leaves an earlier file with that name as it was.
    QSaveFile file(path);
    auto fail = [&](const QString& reason) {
        if (error != nullptr)
            *error =
                QStringLiteral("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), reason);
        return false;
    };
    if (path.isEmpty())
        return fail(QStringLiteral("no file name given"));
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (file.write(bytes) != bytes.size())
        return fail(file.errorString());
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

} // namespace

QString csvField(const QString& value) {
    const bool quote = value.contains(u',') || value.contains(u'"') || value.contains(u'\n') ||
                       value.contains(u'\r');
    if (!quote)
        return value;
    QString doubled = value;
    doubled.replace(u"\""_s, u"\"\""_s);
    return u'"' + doubled + u'"';
}

bool exportEventsCsv(const QVector<LabEvent>& events, const QString& path, QString* error) {
    QString text = fieldNames().join(u',') + u"\r\n";
    for (const LabEvent& e : events) {
        const LabTime deadline = deadlineOf(e);
        const QStringList row{
            formatSeconds(e.at),
            e.elector < 0 ? QString() : QString::number(e.elector),
            csvField(e.identity),
            eventSourceName(e.source),
            csvField(e.name),
            QString::number(e.fence),
            deadline > LabTime::zero() ? formatSeconds(deadline) : QString(),
            csvField(e.detail),
        };
        text += row.join(u',') + u"\r\n";
    }
    return writeFile(path, text.toUtf8(), error);
}

bool exportEventsJson(const QVector<LabEvent>& events, const QString& path, QString* error) {
    QJsonArray array;
    for (const LabEvent& e : events) {
        const LabTime deadline = deadlineOf(e);
        QJsonObject o;
        o.insert(u"time_s"_s, seconds(e.at));
        o.insert(u"elector"_s, e.elector < 0 ? QJsonValue() : QJsonValue(e.elector));
        o.insert(u"identity"_s, e.identity);
        o.insert(u"source"_s, eventSourceName(e.source));
        o.insert(u"event"_s, e.name);
        // A JSON number is a double: fences beyond 2^53 would lose digits (not reachable in a run).
        o.insert(u"fence"_s, static_cast<qint64>(e.fence));
        o.insert(u"deadline_s"_s,
                 deadline > LabTime::zero() ? QJsonValue(seconds(deadline)) : QJsonValue());
        o.insert(u"detail"_s, e.detail);
        array.append(o);
    }
    return writeFile(path, QJsonDocument(array).toJson(QJsonDocument::Indented), error);
}

} // namespace baton::lab
