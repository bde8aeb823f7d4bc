#include "backend/redis_agent_elector.h"

#include "backend/child_process.h"

#include <QProcessEnvironment>

#include <csignal>

namespace baton::lab {

namespace {

constexpr qsizetype kMaxLineBytes = 64 * 1024;
constexpr qsizetype kMaxStderrLine = 300;

} // namespace

AgentElector::AgentElector(RedisHost& host, int id, const QString& identity, QObject& processParent,
                           QString url, QString resource, QString agentPath, const Timing& timing,
                           bool pollingOnly)
    : RedisElector(host, id, identity, ElectorKind::Agent)
    , m_parent(processParent)
    , m_url(std::move(url))
    , m_resource(std::move(resource))
    , m_agentPath(std::move(agentPath)) {
    m_timing = timing;
    m_pollingOnly = pollingOnly;
    m_proxy = AgentProxy::open(m_url, m_noProxy);
    LabEvent e;
    e.at = host.clock().now();
    e.source = LabEvent::Source::Lab;
    e.name = QStringLiteral("info");
    e.detail = m_proxy ? QStringLiteral("%1 reaches Redis through a fault proxy (%2)")
                             .arg(identity, m_proxy->describe())
                       : QStringLiteral("%1 reaches Redis directly: %2; a partition goes over "
                                        "its control channel, latency cannot be added")
                             .arg(identity, m_noProxy);
    host.push(std::move(e));
}

bool AgentElector::running() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

QStringList AgentElector::arguments() const {
    QStringList args{QStringLiteral("--resource"),
                     m_resource,
                     QStringLiteral("--id"),
                     identity(),
                     QStringLiteral("--allow-control"),
                     QStringLiteral("--verbose"),
                     QStringLiteral("--ttl"),
                     qstr(formatDuration(m_timing.ttl)),
                     QStringLiteral("--refresh"),
                     qstr(formatDuration(m_timing.refreshInterval)),
                     QStringLiteral("--retry"),
                     qstr(formatDuration(m_timing.retryInterval))};
    if (m_pollingOnly)
        args << QStringLiteral("--polling-only");
    if (m_clockRate != 1.0)
        args << QStringLiteral("--clock-rate") << QString::number(m_clockRate, 'g', 6);
    return args + m_extraArgs;
}

void AgentElector::launch() {
    if (m_process)
        m_process->deleteLater();
    auto* p = new QProcess(&m_parent);
    m_process = p;
    m_life = Life::Running;
    m_ending = Ending::None;
    m_started = false;
    m_leading = false;
    m_note.clear();
    m_stdout.clear();
    m_stderr.clear();
    m_pausedUntil = m_partitionedUntil = {};
    // The URL goes in the environment, not on the command line, where `ps` would show its
    // password to every user of the machine.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), m_proxy ? m_proxy->agentUrl() : m_url);
    p->setProcessEnvironment(env);
    p->setStandardInputFile(QProcess::nullDevice());
    // Forked from the backend's thread, which lives until shutdown() has stopped the agents.
    dieWithLab(*p, SIGTERM);
    connectProcess(p);
    p->start(m_agentPath, arguments());
}

void AgentElector::connectProcess(QProcess* p) {
    QObject::connect(p, &QProcess::readyReadStandardOutput, &m_parent, [this] { onOutput(); });
    QObject::connect(p, &QProcess::readyReadStandardError, &m_parent, [this] { onError(); });
    QObject::connect(
        p, &QProcess::finished, &m_parent,
        [this, p](int code, QProcess::ExitStatus status) { onFinished(p, code, status); });
    QObject::connect(p, &QProcess::errorOccurred, &m_parent, [this, p](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart || m_process != p)
            return;
        m_life = Life::Crashed;
        m_note = QStringLiteral("could not start: ") + p->errorString();
        m_host.labError(QStringLiteral("%1 could not start: %2").arg(identity(), p->errorString()));
    });
}

void AgentElector::onOutput() {
    if (!m_process)
        return;
    m_stdout += m_process->readAllStandardOutput();
    takeLines(m_stdout, [this](const QByteArray& line) {
        if (auto w = parseWire(line.toStdString(), m_host.clock()); w && w->id == identityStd())
            apply(*w);
    });
    if (m_stdout.size() > kMaxLineBytes)
        m_stdout.clear(); // not an event line; keep memory bounded
}

void AgentElector::onError() {
    if (!m_process)
        return;
    m_stderr += m_process->readAllStandardError();
    takeLines(m_stderr, [this](const QByteArray& bytes) {
        const QString line = QString::fromUtf8(bytes).trimmed();
        if (!line.isEmpty())
            m_lastStderr = line.left(kMaxStderrLine);
    });
    if (m_stderr.size() > kMaxLineBytes)
        m_stderr.clear();
}

void AgentElector::onFinished(QProcess* process, int code, QProcess::ExitStatus status) {
    if (m_process != process)
        return;
    onOutput();
    onError();
    m_leading = false;
    m_pausedUntil = m_partitionedUntil = {};
    m_member.reset();
    if (m_proxy) // its network faults end with it, as its control-channel partition would
        m_proxy->heal();
    const Ending ending = std::exchange(m_ending, Ending::None);
    if (std::exchange(m_relaunch, false) && ending == Ending::Stop && !m_host.shuttingDown() &&
        !removed()) {
        fault(QStringLiteral("start"), false, {},
              QStringLiteral("--clock-rate %1").arg(m_clockRate, 0, 'g', 6));
        launch();
        return;
    }
    if (ending == Ending::Kill) {
        m_life = Life::Crashed;
        m_note = QStringLiteral("killed (SIGKILL)");
    } else if (ending == Ending::Stop) {
        m_life = Life::Stopped;
        m_note = stopNote(code, status);
    } else {
        m_life = status == QProcess::CrashExit || code != 0 ? Life::Crashed : Life::Stopped;
        m_note = status == QProcess::CrashExit ? QStringLiteral("died of a signal")
                                               : QStringLiteral("exited with code %1").arg(code);
        if (!m_lastStderr.isEmpty())
            m_note += QStringLiteral(": ") + m_lastStderr;
        if (!m_host.shuttingDown())
            m_host.labError(identity() + QStringLiteral(" ") + m_note);
    }
}

QString AgentElector::stopNote(int code, QProcess::ExitStatus status) const {
    if (removed())
        return QStringLiteral("removed");
    if (status == QProcess::CrashExit) // SIGTERM came before it set up its handling
        return QStringLiteral("stopped by signal %1").arg(code);
    if (code == 0)
        return QStringLiteral("stopped (SIGTERM)");
    return QStringLiteral("stopped; exited with code %1").arg(code);
}

void AgentElector::terminate() {
    m_process->terminate();
    ::kill(pid_t(m_process->processId()), SIGCONT);
}

void AgentElector::tick(LabTime now) {
    if (m_pausedUntil > LabTime{} && now >= m_pausedUntil) {
        m_pausedUntil = {};
        if (running())
            ::kill(pid_t(m_process->processId()), SIGCONT);
    }
}

void AgentElector::requestStop() {
    // The lab is closing: its proxy goes, so nothing holds back the release.
    if (m_proxy)
        m_proxy->heal();
    if (!running())
        return;
    if (m_ending == Ending::None)
        m_ending = Ending::Stop;
    terminate();
}

void AgentElector::awaitStop(TimePoint graceEnd) {
    if (!running())
        return;
    const auto left = std::max<std::int64_t>(0, millis(graceEnd - steadyNow()));
    if (!m_process->waitForFinished(int(left))) {
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

bool AgentElector::believesLeader(LabTime now) const {
    return running() && m_leading && now < m_leaseEnd;
}

void AgentElector::noted(const WireEvent& w) {
    if (w.name == "started")
        m_started = true;
}

void AgentElector::fillView(ElectorView& v, LabTime now, ElectorState down) const {
    const bool isRunning = running();
    const std::string memberState = m_member ? m_member->state : std::string();
    const AgentProxy::InForce net = inForce();
    v.clockRate = m_clockRate;
    if (isRunning)
        v.latency = net.latency;
    if (!isRunning)
        v.state = down;
    else if (m_pausedUntil > LabTime{} || memberState == "paused")
        v.state = ElectorState::Paused;
    else if (partitioned(now) || memberState == "partitioned")
        v.state = ElectorState::Partitioned;
    else
        v.state = v.believesLeader ? ElectorState::Leader : ElectorState::Follower;
    const auto until = [this](TimePoint t) {
        return t == TimePoint::max()
                   ? QStringLiteral("until healed")
                   : QStringLiteral("until %1 s").arg(formatSeconds(m_host.clock().at(t)));
    };
    QStringList notes;
    if (!v.note.isEmpty())
        notes << v.note;
    if (isRunning && !m_started)
        notes << QStringLiteral("starting");
    else if (isRunning && m_pausedUntil > LabTime{})
        notes << QStringLiteral("paused (SIGSTOP) until %1 s").arg(formatSeconds(m_pausedUntil));
    else if (isRunning && m_partitionedUntil > now)
        notes << QStringLiteral("partitioned until %1 s").arg(formatSeconds(m_partitionedUntil));
    if (isRunning && net.partitionedUntil > TimePoint{})
        notes << QStringLiteral("partitioned by its proxy (blackhole) %1")
                     .arg(until(net.partitionedUntil));
    if (isRunning && net.latency > Duration{})
        notes << QStringLiteral("+%1 each way by its proxy %2")
                     .arg(qstr(formatDuration(net.latency)), until(net.latencyUntil));
    if (m_clockRate != 1.0)
        notes << QStringLiteral("clock rate %1 (--clock-rate)").arg(m_clockRate, 0, 'g', 4);
    v.note = notes.join(QStringLiteral(", "));
}

std::optional<QString> AgentElector::whyNot(const Action& a, LabTime now) const {
    const bool isRunning = running();
    switch (a.kind) {
    case Action::Kind::Crash:
    case Action::Kind::Stop:
    case Action::Kind::Timing:
    case Action::Kind::Pause:
        return needsRunning(a, isRunning);
    case Action::Kind::Start:
        return isRunning ? alreadyRunning() : std::nullopt;
    case Action::Kind::Resume:
        return isRunning && m_pausedUntil != LabTime{} ? std::nullopt : notPaused();
    case Action::Kind::Partition:
    case Action::Kind::Heal:
    case Action::Kind::Latency:
        return whyNotNetwork(a, isRunning, now);
    case Action::Kind::Drift:
        // A stopped agent takes the rate at its next start.
        if (m_relaunch)
            return QStringLiteral("drift: %1 is restarting with its new clock rate")
                .arg(identity());
        return badStrength(a);
    case Action::Kind::Remove:
        return std::nullopt;
    default:
        return QStringLiteral("%1 does not apply to an agent").arg(actionName(a.kind));
    }
}

std::optional<QString> AgentElector::whyNotNetwork(const Action& a, bool isRunning,
                                                   LabTime now) const {
    if (a.kind == Action::Kind::Heal) {
        const AgentProxy::InForce net = inForce();
        if (isRunning && (m_partitionedUntil > now || net.partitionedUntil > TimePoint{} ||
                          net.latency > Duration{}))
            return std::nullopt;
        return QStringLiteral("heal: %1 is neither partitioned nor slowed").arg(identity());
    }
    if (a.kind == Action::Kind::Latency && !m_proxy)
        return QStringLiteral("latency: %1 has no fault proxy (%2); pause or partition it "
                              "instead, or use a thread elector")
            .arg(identity(), m_noProxy);
    if (const auto why = needsRunning(a, isRunning))
        return why;
    if (a.kind == Action::Kind::Latency)
        if (const auto why = badLength(a))
            return why;
    return badStrength(a);
}

void AgentElector::act(const Action& a, LabTime now) {
    const bool leads = believesLeader(now);
    switch (a.kind) {
    case Action::Kind::Partition:
    case Action::Kind::Heal:
    case Action::Kind::Latency:
        actNetwork(a);
        reportFault(a, now, leads, networkDetail(a));
        return;
    case Action::Kind::Timing:
        m_timing = a.timing;
        m_host.sendControl(identity(), *controlMessage(a, identityStd()));
        reportFault(a, now, leads);
        return;
    case Action::Kind::Drift:
        drift(a, now, leads);
        return;
    case Action::Kind::Start:
        fault(m_life == Life::Crashed ? QStringLiteral("restart") : QStringLiteral("start"), false);
        launch();
        return;
    default:
        actSignal(a, now, leads);
        return;
    }
}

void AgentElector::actNetwork(const Action& a) {
    if (!m_proxy) {
        // The lab starts its agents with --allow-control: a partition goes over the channel.
        m_partitionedUntil =
            a.kind == Action::Kind::Partition ? m_host.clock().now() + a.duration : LabTime{};
        m_host.sendControl(identity(), *controlMessage(a, identityStd()));
        return;
    }
    if (a.kind == Action::Kind::Partition)
        m_proxy->partition(a.duration);
    else if (a.kind == Action::Kind::Latency)
        m_proxy->addLatency(a.extra, a.duration);
    else
        m_proxy->heal();
}

QString AgentElector::networkDetail(const Action& a) const {
    if (!m_proxy)
        return QStringLiteral("over its control channel");
    if (a.kind == Action::Kind::Latency)
        return QStringLiteral("+%1 each way on its fault proxy").arg(qstr(formatDuration(a.extra)));
    if (a.kind == Action::Kind::Partition)
        return QStringLiteral("a blackhole on its fault proxy");
    return QStringLiteral("its fault proxy forwards again");
}

void AgentElector::drift(const Action& a, LabTime now, bool leads) {
    m_clockRate = a.rate;
    const QString rate = QString::number(a.rate, 'g', 6);
    if (!running()) {
        reportFault(a, now, leads, QStringLiteral("rate %1 from its next start").arg(rate));
        return;
    }
    // baton-agent takes its clock rate at start: a graceful restart, so that no lock is left.
    reportFault(a, now, leads, QStringLiteral("rate %1: restarts it with --clock-rate").arg(rate));
    fault(QStringLiteral("stop"), leads, {},
          QStringLiteral("to restart it with --clock-rate %1").arg(rate));
    m_relaunch = true;
    m_ending = Ending::Stop;
    m_pausedUntil = {};
    terminate();
}

bool AgentElector::partitioned(LabTime now) const {
    return m_partitionedUntil > now || inForce().partitionedUntil > TimePoint{};
}

AgentProxy::InForce AgentElector::inForce() const {
    return m_proxy ? m_proxy->inForce() : AgentProxy::InForce{};
}

void AgentElector::actSignal(const Action& a, LabTime now, bool leads) {
    switch (a.kind) {
    case Action::Kind::Crash:
        m_ending = Ending::Kill;
        m_pausedUntil = {};
        m_process->kill(); // SIGKILL
        reportFault(a, now, leads);
        break;
    case Action::Kind::Stop:
        m_ending = Ending::Stop;
        m_pausedUntil = {};
        terminate();
        reportFault(a, now, leads);
        break;
    case Action::Kind::Pause:
        ::kill(pid_t(m_process->processId()), SIGSTOP);
        m_pausedUntil = now + a.duration;
        reportFault(a, now, leads, QStringLiteral("SIGSTOP"));
        break;
    case Action::Kind::Resume:
        ::kill(pid_t(m_process->processId()), SIGCONT);
        m_pausedUntil = {};
        reportFault(a, now, leads, QStringLiteral("SIGCONT"));
        break;
    case Action::Kind::Remove:
        markRemoved();
        if (running()) {
            m_ending = Ending::Stop;
            m_pausedUntil = {};
            terminate();
        }
        fault(QStringLiteral("stop"), leads, {}, QStringLiteral("removed"));
        break;
    default:
        break;
    }
}

} // namespace baton::lab
