#pragma once
// Writes the event log to a file for analysis elsewhere (a spreadsheet, pandas, jq).
// Both formats carry the same fields: time_s, elector, identity, source, event, fence,
// deadline_s, detail. Times are lab seconds with millisecond precision; deadline_s is an
// elected/extended event's self-fencing deadline or a timed fault's planned end (empty / null when
// there is none); elector is the id (empty / null for the store and the lab).

#include "backend/lab_types.h"

#include <QString>
#include <QVector>

namespace baton::lab {

/// CSV (RFC 4180: CRLF lines, fields with commas, quotes or line breaks quoted, quotes doubled)
/// with a header row. The file is replaced atomically. On failure returns false and, when `error`
/// is given, says which path and why.
bool exportEventsCsv(const QVector<LabEvent>& events, const QString& path, QString* error);

/// A JSON array of objects, one per event, with numbers as numbers. Failure as exportEventsCsv.
bool exportEventsJson(const QVector<LabEvent>& events, const QString& path, QString* error);

/// One CSV field, quoted when it must be (exposed for tests and other CSV writers).
QString csvField(const QString& value);

} // namespace baton::lab
