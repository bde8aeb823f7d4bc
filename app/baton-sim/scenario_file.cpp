#include "scenario_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstring>
#include <map>
#include <string>

namespace baton::sim {

namespace {

// QJsonDocument keeps no positions, so the text is walked once more (it is valid JSON by then)
// to note the line where each value starts, by path: "faults[2].at".
class LineIndex {
public:
    explicit LineIndex(const QByteArray& text)
        : m_text(text) {
        skipSpace();
        if (m_pos < m_text.size())
            value({});
    }

    // The line of `path`, or of its nearest enclosing value that has one.
    int lineOf(std::string path) const {
        while (true) {
            if (auto it = m_lines.find(path); it != m_lines.end())
                return it->second;
            const auto cut = path.find_last_of(".[");
            if (cut == std::string::npos)
                return path.empty() ? 1 : lineOf({});
            path.resize(cut);
        }
    }

private:
    void skipSpace() {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '\n')
                ++m_line;
            else if (c != ' ' && c != '\t' && c != '\r')
                break;
            ++m_pos;
        }
    }
    std::string string() {
        std::string out;
        ++m_pos; // opening quote
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\')
                ++m_pos;
            if (m_pos < m_text.size())
                out.push_back(m_text[m_pos++]);
        }
        ++m_pos; // closing quote
        return out;
    }
    void value(const std::string& path) {
        skipSpace();
        m_lines.emplace(path, m_line);
        if (m_pos >= m_text.size())
            return;
        const char c = m_text[m_pos];
        if (c == '{') {
            ++m_pos;
            skipSpace();
            while (m_pos < m_text.size() && m_text[m_pos] != '}') {
                const std::string key = string();
                skipSpace();
                ++m_pos; // ':'
                value(path.empty() ? key : path + "." + key);
                skipSpace();
                if (m_pos < m_text.size() && m_text[m_pos] == ',')
                    ++m_pos;
                skipSpace();
            }
            ++m_pos;
        } else if (c == '[') {
            ++m_pos;
            skipSpace();
            for (int i = 0; m_pos < m_text.size() && m_text[m_pos] != ']'; ++i) {
                value(path + "[" + std::to_string(i) + "]");
                skipSpace();
                if (m_pos < m_text.size() && m_text[m_pos] == ',')
                    ++m_pos;
                skipSpace();
            }
            ++m_pos;
        } else if (c == '"') {
            string();
        } else {
            while (m_pos < m_text.size() && !std::strchr(",]} \t\r\n", m_text[m_pos]))
                ++m_pos;
        }
    }

    const QByteArray& m_text;
    qsizetype m_pos = 0;
    int m_line = 1;
    std::map<std::string, int> m_lines;
};

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

class Reader {
public:
    explicit Reader(const QByteArray& text)
        : m_lines(text) {}

    [[noreturn]] void fail(const std::string& path, const QString& reason) const {
        throw ScenarioFileError(m_lines.lineOf(path),
                                path.empty() ? reason : q(path) + u": " + reason);
    }

    void onlyKeys(const QJsonObject& o, const std::string& path,
                  std::initializer_list<const char*> known) const {
        QSet<QString> allowed;
        for (const char* k : known)
            allowed.insert(QString::fromLatin1(k));
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!allowed.contains(it.key())) {
                QStringList names;
                for (const char* k : known)
                    names << QString::fromLatin1(k);
                fail(join(path, it.key().toStdString()), u"unknown field '"_qs + it.key() +
                                                             u"' (known: "_qs + names.join(u", ") +
                                                             u")");
            }
        }
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

    Duration duration(const QJsonValue& v, const std::string& path,
                      bool allowNegative = false) const {
        Duration d{};
        if (v.isDouble()) {
            d = Duration(static_cast<Duration::rep>(v.toDouble() * 1e6));
        } else if (v.isString()) {
            try {
                d = parseDuration(v.toString().toStdString());
            } catch (const std::invalid_argument& e) {
                fail(path, q(e.what()));
            }
        } else {
            fail(path,
                 u"expected a duration such as \"5s\", \"1500ms\" or a number of milliseconds"_qs);
        }
        if (!allowNegative && d.count() < 0)
            fail(path, u"must not be negative, got "_qs + q(formatDuration(d)));
        return d;
    }
    double number(const QJsonValue& v, const std::string& path) const {
        if (!v.isDouble())
            fail(path, u"expected a number"_qs);
        return v.toDouble();
    }
    int integer(const QJsonValue& v, const std::string& path) const {
        const double d = number(v, path);
        if (d != static_cast<double>(static_cast<int>(d)))
            fail(path, u"expected a whole number, got "_qs + QString::number(d));
        return static_cast<int>(d);
    }
    bool boolean(const QJsonValue& v, const std::string& path) const {
        if (!v.isBool())
            fail(path, u"expected true or false"_qs);
        return v.toBool();
    }
    QString string(const QJsonValue& v, const std::string& path) const {
        if (!v.isString())
            fail(path, u"expected a string"_qs);
        return v.toString();
    }

    FaultTarget target(const QJsonValue& v, const std::string& path) const {
        FaultTarget t;
        if (v.isDouble()) {
            t.kind = FaultTarget::Kind::Elector;
            t.index = integer(v, path);
            return t;
        }
        const QString s = string(v, path);
        if (s == u"leader")
            t.kind = FaultTarget::Kind::Leader;
        else if (s == u"follower")
            t.kind = FaultTarget::Kind::Follower;
        else if (s == u"all")
            t.kind = FaultTarget::Kind::All;
        else {
            bool ok = false;
            t.index = s.startsWith(u"node-") ? s.mid(5).toInt(&ok) : -1;
            if (!ok)
                fail(path, u"unknown target '"_qs + s +
                               u"' (use an elector number, \"node-N\", \"leader\", \"follower\" "
                               u"or \"all\")"_qs);
            t.kind = FaultTarget::Kind::Elector;
        }
        return t;
    }

    Fault fault(const QJsonValue& v, const std::string& path) const {
        if (!v.isObject())
            fail(
                path,
                u"expected a fault object such as {\"at\": \"10s\", \"type\": \"crash\", \"target\": \"leader\"}"_qs);
        const QJsonObject o = v.toObject();
        onlyKeys(o, path,
                 {"at", "type", "target", "duration", "mode", "extra", "ttl", "refresh", "retry",
                  "rate", "comment"});
        Fault f;
        if (!o.contains(u"type"))
            fail(path, u"missing field 'type'"_qs);
        const QString type = string(o[u"type"], join(path, "type"));
        const auto kind = faultKind(type.toStdString());
        if (!kind)
            fail(join(path, "type"), u"unknown fault type '"_qs + type +
                                         u"' (known: crash, restart, stop, start, pause, resume, "
                                         u"partition, heal, latency, timing, drift)"_qs);
        f.kind = *kind;
        if (!o.contains(u"at"))
            fail(path, u"missing field 'at' (when the fault strikes, from the start)"_qs);
        f.at = duration(o[u"at"], join(path, "at"));
        f.target.kind =
            f.kind == FaultKind::Timing ? FaultTarget::Kind::All : FaultTarget::Kind::Leader;
        if (o.contains(u"target"))
            f.target = target(o[u"target"], join(path, "target"));
        if (o.contains(u"duration"))
            f.duration = duration(o[u"duration"], join(path, "duration"));
        if (o.contains(u"mode")) {
            if (f.kind != FaultKind::Partition)
                fail(join(path, "mode"), u"only a partition has a mode"_qs);
            const QString mode = string(o[u"mode"], join(path, "mode"));
            if (mode == u"fail")
                f.mode = Fault::PartitionMode::Fail;
            else if (mode == u"hang")
                f.mode = Fault::PartitionMode::Hang;
            else
                fail(join(path, "mode"),
                     u"unknown partition mode '"_qs + mode + u"' (fail or hang)"_qs);
        }
        if (o.contains(u"extra")) {
            if (f.kind != FaultKind::Latency)
                fail(join(path, "extra"), u"only a latency spike has 'extra'"_qs);
            f.extra = duration(o[u"extra"], join(path, "extra"));
        }
        if (f.kind == FaultKind::Latency && !o.contains(u"extra"))
            fail(path, u"a latency spike needs 'extra' (the added one-way latency)"_qs);
        if (o.contains(u"rate")) {
            if (f.kind != FaultKind::Drift)
                fail(join(path, "rate"), u"only a clock drift has 'rate'"_qs);
            f.rate = number(o[u"rate"], join(path, "rate"));
        }
        if (f.kind == FaultKind::Drift && !o.contains(u"rate"))
            fail(path, u"a clock drift needs 'rate' (local seconds per true second, e.g. 1.05)"_qs);
        for (const char* key : {"ttl", "refresh", "retry"}) {
            const QString k = QString::fromLatin1(key);
            if (!o.contains(k))
                continue;
            if (f.kind != FaultKind::Timing)
                fail(join(path, key), u"only a timing change has '"_qs + k + u"'"_qs);
            const Duration d = duration(o[k], join(path, key));
            if (k == u"ttl")
                f.ttl = d;
            else if (k == u"refresh")
                f.refresh = d;
            else
                f.retry = d;
        }
        return f;
    }

    ElectorSetup setup(const QJsonValue& v, const std::string& path) const {
        if (!v.isObject())
            fail(path, u"expected an object such as {\"elector\": 0, \"clockRate\": 0.9}"_qs);
        const QJsonObject o = v.toObject();
        onlyKeys(o, path, {"elector", "clockRate", "latency", "pollingOnly", "startAt", "comment"});
        ElectorSetup e;
        if (!o.contains(u"elector"))
            fail(path, u"missing field 'elector' (its number, from 0)"_qs);
        e.index = integer(o[u"elector"], join(path, "elector"));
        if (o.contains(u"clockRate"))
            e.clockRate = number(o[u"clockRate"], join(path, "clockRate"));
        if (o.contains(u"latency"))
            e.latency = duration(o[u"latency"], join(path, "latency"));
        if (o.contains(u"pollingOnly"))
            e.pollingOnly = boolean(o[u"pollingOnly"], join(path, "pollingOnly"));
        if (o.contains(u"startAt"))
            e.startAt = duration(o[u"startAt"], join(path, "startAt"));
        return e;
    }

    Scenario scenario(const QJsonObject& o) const {
        onlyKeys(o, {},
                 {"name",     "description",   "resource",      "electors",       "duration",
                  "seed",     "ttl",           "refresh",       "retry",          "drift",
                  "maxDrift", "latency",       "latencyJitter", "commandTimeout", "pollingOnly",
                  "fencing",  "writeInterval", "electorSetups", "faults",         "comment"});
        Scenario s;
        if (o.contains(u"name"))
            s.name = string(o[u"name"], "name").toStdString();
        if (o.contains(u"description"))
            s.description = string(o[u"description"], "description").toStdString();
        if (o.contains(u"resource"))
            s.resource = string(o[u"resource"], "resource").toStdString();
        if (o.contains(u"electors"))
            s.electors = integer(o[u"electors"], "electors");
        if (o.contains(u"duration"))
            s.duration = duration(o[u"duration"], "duration");
        if (o.contains(u"seed")) {
            const double seed = number(o[u"seed"], "seed");
            if (seed < 0 || seed != static_cast<double>(static_cast<std::uint64_t>(seed)))
                fail("seed", u"expected a whole number >= 0"_qs);
            s.seed = static_cast<std::uint64_t>(seed);
        }
        if (o.contains(u"ttl"))
            s.timing.ttl = duration(o[u"ttl"], "ttl");
        if (o.contains(u"refresh"))
            s.timing.refreshInterval = duration(o[u"refresh"], "refresh");
        if (o.contains(u"retry"))
            s.timing.retryInterval = duration(o[u"retry"], "retry");
        if (o.contains(u"drift"))
            s.drift = number(o[u"drift"], "drift");
        if (o.contains(u"maxDrift"))
            s.maxDrift = number(o[u"maxDrift"], "maxDrift");
        if (o.contains(u"latency"))
            s.latency = duration(o[u"latency"], "latency");
        if (o.contains(u"latencyJitter"))
            s.latencyJitter = number(o[u"latencyJitter"], "latencyJitter");
        if (o.contains(u"commandTimeout"))
            s.commandTimeout = duration(o[u"commandTimeout"], "commandTimeout");
        if (o.contains(u"pollingOnly"))
            s.pollingOnly = boolean(o[u"pollingOnly"], "pollingOnly");
        if (o.contains(u"fencing"))
            s.fencing = boolean(o[u"fencing"], "fencing");
        if (o.contains(u"writeInterval"))
            s.writeInterval = duration(o[u"writeInterval"], "writeInterval");
        if (o.contains(u"electorSetups")) {
            if (!o[u"electorSetups"].isArray())
                fail("electorSetups", u"expected an array"_qs);
            const QJsonArray a = o[u"electorSetups"].toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                s.setups.push_back(setup(a[i], "electorSetups[" + std::to_string(i) + "]"));
        }
        if (o.contains(u"faults")) {
            if (!o[u"faults"].isArray())
                fail("faults", u"expected an array of faults"_qs);
            const QJsonArray a = o[u"faults"].toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                s.faults.push_back(fault(a[i], "faults[" + std::to_string(i) + "]"));
        }
        // The core's rules (ranges, targets that exist, timing): its message starts with the path.
        try {
            validate(s);
        } catch (const std::invalid_argument& e) {
            std::string message = e.what();
            std::string path = message.substr(0, message.find(':'));
            if (path == "refreshInterval")
                path = "refresh";
            else if (path == "retryInterval")
                path = "retry";
            const auto colon = message.find(": ");
            fail(path, q(colon == std::string::npos ? message : message.substr(colon + 2)));
        }
        return s;
    }

private:
    LineIndex m_lines;
};

} // namespace

ScenarioFileError::ScenarioFileError(int line, const QString& reason)
    : std::runtime_error(
          QString(u"line "_qs + QString::number(line) + u": "_qs + reason).toStdString())
    , m_line(line)
    , m_reason(reason) {}

Scenario parseScenario(const QByteArray& json) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        const int line = 1 + static_cast<int>(json.left(error.offset).count('\n'));
        throw ScenarioFileError(line, u"not valid JSON: "_qs + error.errorString());
    }
    if (!doc.isObject())
        throw ScenarioFileError(1, u"expected a JSON object at the top"_qs);
    return Reader(json).scenario(doc.object());
}

namespace {

QString text(Duration d) {
    return QString::fromStdString(formatDuration(d));
}

QJsonValue targetJson(const FaultTarget& t) {
    switch (t.kind) {
    case FaultTarget::Kind::Elector:
        return t.index;
    case FaultTarget::Kind::Leader:
        return u"leader"_qs;
    case FaultTarget::Kind::Follower:
        return u"follower"_qs;
    case FaultTarget::Kind::All:
        return u"all"_qs;
    }
    return {};
}

QJsonObject faultJson(const Fault& f) {
    QJsonObject o{{u"at"_qs, text(f.at)},
                  {u"type"_qs, QString::fromUtf8(faultName(f.kind))},
                  {u"target"_qs, targetJson(f.target)}};
    if (f.duration.count() > 0)
        o[u"duration"_qs] = text(f.duration);
    if (f.kind == FaultKind::Partition)
        o[u"mode"_qs] = f.mode == Fault::PartitionMode::Hang ? u"hang"_qs : u"fail"_qs;
    if (f.kind == FaultKind::Latency)
        o[u"extra"_qs] = text(f.extra);
    if (f.kind == FaultKind::Drift)
        o[u"rate"_qs] = f.rate;
    if (f.ttl)
        o[u"ttl"_qs] = text(*f.ttl);
    if (f.refresh)
        o[u"refresh"_qs] = text(*f.refresh);
    if (f.retry)
        o[u"retry"_qs] = text(*f.retry);
    return o;
}

} // namespace

QByteArray scenarioJson(const Scenario& s) {
    QJsonObject o{{u"name"_qs, QString::fromStdString(s.name)},
                  {u"description"_qs, QString::fromStdString(s.description)},
                  {u"resource"_qs, QString::fromStdString(s.resource)},
                  {u"electors"_qs, s.electors},
                  {u"duration"_qs, text(s.duration)},
                  {u"seed"_qs, static_cast<double>(s.seed)},
                  {u"ttl"_qs, text(s.timing.ttl)},
                  {u"refresh"_qs, text(s.timing.refreshInterval)},
                  {u"retry"_qs, text(s.timing.retryInterval)},
                  {u"drift"_qs, s.drift},
                  {u"maxDrift"_qs, s.maxDrift},
                  {u"latency"_qs, text(s.latency)},
                  {u"latencyJitter"_qs, s.latencyJitter},
                  {u"commandTimeout"_qs, text(s.commandTimeout)},
                  {u"pollingOnly"_qs, s.pollingOnly},
                  {u"fencing"_qs, s.fencing},
                  {u"writeInterval"_qs, text(s.writeInterval)}};
    QJsonArray setups;
    for (const ElectorSetup& e : s.setups) {
        QJsonObject j{{u"elector"_qs, e.index}};
        if (e.clockRate)
            j[u"clockRate"_qs] = *e.clockRate;
        if (e.latency)
            j[u"latency"_qs] = text(*e.latency);
        if (e.pollingOnly)
            j[u"pollingOnly"_qs] = *e.pollingOnly;
        if (e.startAt)
            j[u"startAt"_qs] = text(*e.startAt);
        setups.append(j);
    }
    if (!setups.isEmpty())
        o[u"electorSetups"_qs] = setups;
    QJsonArray faults;
    for (const Fault& f : s.faults)
        faults.append(faultJson(f));
    if (!faults.isEmpty())
        o[u"faults"_qs] = faults;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Scenario loadScenario(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw ScenarioFileError(0, u"cannot read "_qs + path + u": "_qs + file.errorString());
    return parseScenario(file.readAll());
}

} // namespace baton::sim
