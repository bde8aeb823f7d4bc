#include "inspector/inspector.h"

#include "cluster/cluster_model.h"
#include "style/lab_colors.h"

#include <baton/election/config.h>

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace baton::lab {

namespace {

Duration fromSeconds(double s) {
    // The editors show milliseconds; round there so 0.1 s is exactly 100 ms, not 99.999... ms.
    return std::chrono::milliseconds(std::llround(s * 1000.0));
}

QDoubleSpinBox* secondsSpin(const QString& objectName, double min, double max, double value) {
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(objectName);
    spin->setDecimals(3);
    spin->setRange(min, max);
    spin->setSingleStep(0.1);
    spin->setSuffix(QStringLiteral(" s"));
    spin->setValue(value);
    spin->setAccelerated(true);
    return spin;
}

QLabel* valueLabel(const QString& objectName) {
    auto* label = new QLabel;
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QLabel* errorLabel(const QString& objectName) {
    auto* label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setVisible(false);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, errorColor(isDarkPalette(palette)));
    label->setPalette(palette);
    return label;
}

// ConfigError says "invalid <field> = <value>: <rule>"; next to the field the rule is enough.
QString ruleOf(const QString& message) {
    if (message.startsWith(u"invalid ")) {
        const qsizetype colon = message.indexOf(u": ");
        if (colon >= 0)
            return message.mid(colon + 2);
    }
    return message;
}

QString formatRate(double rate) {
    QString text = QString::number(rate, 'f', 3);
    if (rate != 1.0)
        text += QStringLiteral(" (%1%2%)")
                    .arg(rate > 1.0 ? QStringLiteral("+") : QString())
                    .arg(QString::number((rate - 1.0) * 100.0, 'f', 1));
    return text;
}

QString formatLatency(Duration d) {
    const double ms = std::chrono::duration<double, std::milli>(d).count();
    return QString::number(ms, 'f', ms < 10.0 ? 1 : 0) + u" ms";
}

bool sameTiming(const Timing& a, const Timing& b) {
    return a.ttl == b.ttl && a.refreshInterval == b.refreshInterval &&
           a.retryInterval == b.retryInterval;
}

} // namespace

QString actionUnavailableReason(const ElectorView& e, Action::Kind kind) {
    if (!actsOnOne(kind))
        return QStringLiteral("not an action on one elector");
    return e.unavailable[std::size_t(kind)];
}

Inspector::Inspector(QWidget* parent)
    : QWidget(parent) {
    buildUi();
    setElector(nullptr);
}

void Inspector::buildUi() {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildTitle());
    layout->addLayout(buildInfo());
    m_timingBox = buildTiming();
    layout->addWidget(m_timingBox);
    layout->addWidget(buildFaults());
    layout->addStretch();
}

QLabel* Inspector::buildTitle() {
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("identityLabel"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    return m_title;
}

QFormLayout* Inspector::buildInfo() {
    auto* info = new QFormLayout;
    info->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_kind = valueLabel(QStringLiteral("kindLabel"));
    m_state = valueLabel(QStringLiteral("stateLabel"));
    m_fence = valueLabel(QStringLiteral("fenceLabel"));
    m_seenLeader = valueLabel(QStringLiteral("seenLeaderLabel"));
    m_lease = valueLabel(QStringLiteral("leaseLabel"));
    m_clockRate = valueLabel(QStringLiteral("clockRateLabel"));
    m_latency = valueLabel(QStringLiteral("latencyLabel"));
    m_storeCalls = valueLabel(QStringLiteral("storeCallsLabel"));
    m_note = valueLabel(QStringLiteral("noteLabel"));
    m_clusterElectors = valueLabel(QStringLiteral("clusterElectorsLabel"));
    m_clusterLeader = valueLabel(QStringLiteral("clusterLeaderLabel"));
    m_clusterTimings = valueLabel(QStringLiteral("clusterTimingsLabel"));
    m_clusterHint = valueLabel(QStringLiteral("clusterHintLabel"));
    info->addRow(tr("Kind:"), m_kind);
    info->addRow(tr("State:"), m_state);
    info->addRow(tr("Fence:"), m_fence);
    info->addRow(tr("Sees leader:"), m_seenLeader);
    info->addRow(tr("Lease:"), m_lease);
    info->addRow(tr("Clock rate:"), m_clockRate);
    info->addRow(tr("Latency:"), m_latency);
    info->addRow(tr("Store calls:"), m_storeCalls);
    info->addRow(tr("Note:"), m_note);
    info->addRow(tr("Electors:"), m_clusterElectors);
    info->addRow(tr("Leader:"), m_clusterLeader);
    info->addRow(tr("Timings:"), m_clusterTimings);
    info->addRow(m_clusterHint);
    m_info = info;
    return info;
}

// Timings: editors with the refusal right under the field it names.
QGroupBox* Inspector::buildTiming() {
    auto* timingBox = new QGroupBox(tr("Timing"));
    timingBox->setObjectName(QStringLiteral("timingBox"));
    auto* timing = new QGridLayout(timingBox);
    constexpr double kLongest = 7 * 24 * 3600; // validate()'s bound
    m_ttl = secondsSpin(QStringLiteral("ttlSpin"), 0, kLongest, 5);
    m_refresh = secondsSpin(QStringLiteral("refreshSpin"), 0, kLongest, 1);
    m_retry = secondsSpin(QStringLiteral("retrySpin"), 0, kLongest, 1);
    m_ttl->setToolTip(tr("How long the lock lives without a refresh"));
    m_refresh->setToolTip(tr("How often a leader extends its lease; below TTL / 2"));
    m_retry->setToolTip(tr("A follower's longest wait between tries"));
    m_ttlError = errorLabel(QStringLiteral("ttlError"));
    m_refreshError = errorLabel(QStringLiteral("refreshError"));
    m_retryError = errorLabel(QStringLiteral("retryError"));
    int row = 0;
    const auto addEditor = [&](const QString& label, QDoubleSpinBox* spin, QLabel* error) {
        timing->addWidget(new QLabel(label), row, 0);
        timing->addWidget(spin, row++, 1);
        timing->addWidget(error, row++, 1);
    };
    addEditor(tr("TTL:"), m_ttl, m_ttlError);
    addEditor(tr("Refresh:"), m_refresh, m_refreshError);
    addEditor(tr("Retry:"), m_retry, m_retryError);
    m_timingError = errorLabel(QStringLiteral("timingError"));
    timing->addWidget(m_timingError, row++, 0, 1, 2);
    m_inEffect = valueLabel(QStringLiteral("inEffectLabel"));
    timing->addWidget(m_inEffect, row++, 0, 1, 2);
    auto* timingButtons = new QHBoxLayout;
    m_revert = new QPushButton(tr("Revert"));
    m_revert->setObjectName(QStringLiteral("revertButton"));
    m_revert->setToolTip(tr("Show the timings in effect again"));
    m_apply = new QPushButton(tr("Apply"));
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_apply->setToolTip(tr("Change the timings while it runs"));
    timingButtons->addStretch();
    timingButtons->addWidget(m_revert);
    timingButtons->addWidget(m_apply);
    timing->addLayout(timingButtons, row++, 0, 1, 2);
    m_tune = new QPushButton(tr("Tune these timings..."));
    m_tune->setObjectName(QStringLiteral("tuneButton"));
    m_tune->setToolTip(tr("Sweep timings around these against a failure profile"));
    timing->addWidget(m_tune, row++, 0, 1, 2);
    connect(m_tune, &QPushButton::clicked, this, &Inspector::tuneRequested);
    connect(m_apply, &QPushButton::clicked, this, &Inspector::apply);
    connect(m_revert, &QPushButton::clicked, this, &Inspector::revert);
    // A refusal stays until its field is touched again.
    connect(m_ttl, &QDoubleSpinBox::valueChanged, m_ttlError, &QLabel::hide);
    connect(m_refresh, &QDoubleSpinBox::valueChanged, m_refreshError, &QLabel::hide);
    connect(m_retry, &QDoubleSpinBox::valueChanged, m_retryError, &QLabel::hide);
    return timingBox;
}

// Faults: each button with the inputs that say how long and how strong.
QGroupBox* Inspector::buildFaults() {
    auto* faultBox = new QGroupBox(tr("Faults"));
    auto* faults = new QGridLayout(faultBox);
    int row = 0;
    auto* lifecycle = new QHBoxLayout;
    lifecycle->addWidget(
        addActionButton(tr("Kill"), QStringLiteral("killButton"), Action::Kind::Crash));
    lifecycle->addWidget(
        addActionButton(tr("Stop"), QStringLiteral("stopButton"), Action::Kind::Stop));
    lifecycle->addWidget(
        addActionButton(tr("Start"), QStringLiteral("startButton"), Action::Kind::Start));
    lifecycle->addWidget(
        addActionButton(tr("Resign"), QStringLiteral("resignButton"), Action::Kind::ResignLeader));
    faults->addLayout(lifecycle, row++, 0, 1, 4);

    // Every fault lasts a while: both backends end it by itself (Resume and Heal end it early).
    m_pauseSeconds = secondsSpin(QStringLiteral("pauseSeconds"), 0.001, 86400, 3);
    QPushButton* pause =
        addActionButton(tr("Pause for"), QStringLiteral("pauseButton"), Action::Kind::Pause);
    m_buttonInputs[pause] = {m_pauseSeconds};
    faults->addWidget(pause, row, 0);
    faults->addWidget(m_pauseSeconds, row, 1, 1, 2);
    faults->addWidget(
        addActionButton(tr("Resume"), QStringLiteral("resumeButton"), Action::Kind::Resume), row++,
        3);

    m_partitionSeconds = secondsSpin(QStringLiteral("partitionSeconds"), 0.001, 86400, 5);
    QPushButton* partition = addActionButton(tr("Partition for"), QStringLiteral("partitionButton"),
                                             Action::Kind::Partition);
    m_buttonInputs[partition] = {m_partitionSeconds};
    faults->addWidget(partition, row, 0);
    faults->addWidget(m_partitionSeconds, row, 1, 1, 2);
    faults->addWidget(addActionButton(tr("Heal"), QStringLiteral("healButton"), Action::Kind::Heal),
                      row++, 3);

    m_latencyMs = new QSpinBox;
    m_latencyMs->setObjectName(QStringLiteral("latencyMs"));
    m_latencyMs->setRange(1, 60'000);
    m_latencyMs->setSingleStep(50);
    m_latencyMs->setPrefix(QStringLiteral("+"));
    m_latencyMs->setSuffix(QStringLiteral(" ms"));
    m_latencyMs->setValue(200);
    m_latencyMs->setToolTip(tr("Added to every one-way trip to the store"));
    m_latencySeconds = secondsSpin(QStringLiteral("latencySeconds"), 0.001, 86400, 10);
    QPushButton* latency =
        addActionButton(tr("Latency"), QStringLiteral("latencyButton"), Action::Kind::Latency);
    m_buttonInputs[latency] = {m_latencyMs, m_latencySeconds};
    faults->addWidget(latency, row, 0);
    faults->addWidget(m_latencyMs, row, 1);
    faults->addWidget(new QLabel(tr("for")), row, 2);
    faults->addWidget(m_latencySeconds, row++, 3);

    m_driftRate = new QDoubleSpinBox;
    m_driftRate->setObjectName(QStringLiteral("driftRate"));
    m_driftRate->setDecimals(3);
    m_driftRate->setRange(0.5, 2.0);
    m_driftRate->setSingleStep(0.01);
    m_driftRate->setValue(1.02);
    m_driftRate->setToolTip(tr("Its clock's rate: 1.000 is exact, 1.020 runs 2% fast"));
    QPushButton* drift =
        addActionButton(tr("Clock rate"), QStringLiteral("driftButton"), Action::Kind::Drift);
    m_buttonInputs[drift] = {m_driftRate};
    faults->addWidget(drift, row, 0);
    faults->addWidget(m_driftRate, row++, 1, 1, 2);
    return faultBox;
}

QPushButton* Inspector::addActionButton(const QString& text, const QString& objectName,
                                        Action::Kind kind) {
    auto* button = new QPushButton(text);
    button->setObjectName(objectName);
    m_actionButtons.insert(button, kind);
    connect(button, &QPushButton::clicked, this, [this, kind] { request(kind); });
    return button;
}

void Inspector::setElector(const ElectorView* elector, std::optional<LabTime> now) {
    const bool changed = (elector == nullptr) != !m_elector.has_value() ||
                         (elector != nullptr && elector->id != m_elector->id);
    if (elector != nullptr)
        m_elector = *elector;
    else
        m_elector.reset();
    m_now = now;
    if (changed) {
        clearTimingErrors();
        m_clusterTimingLoaded = false;
        if (m_elector)
            loadTiming(m_elector->timing);
    }
    if (!m_elector && !m_clusterTimingLoaded) {
        if (const std::optional<Timing> t = clusterTiming()) {
            loadTiming(*t);
            m_clusterTimingLoaded = true;
        }
    }
    updateInfo();
    updateEnabled();
}

Timing Inspector::editedTiming() const {
    return Timing{fromSeconds(m_ttl->value()), fromSeconds(m_refresh->value()),
                  fromSeconds(m_retry->value())};
}

void Inspector::setCluster(const QVector<ElectorView>& electors) {
    m_cluster = electors;
    if (electors.isEmpty())
        m_clusterTimingLoaded = false;
}

std::optional<Timing> Inspector::clusterTiming() const {
    std::optional<Timing> most;
    qsizetype mostCount = 0;
    for (const ElectorView& e : m_cluster) {
        const qsizetype n =
            std::count_if(m_cluster.cbegin(), m_cluster.cend(),
                          [&](const ElectorView& o) { return sameTiming(o.timing, e.timing); });
        if (n > mostCount) {
            most = e.timing;
            mostCount = n;
        }
    }
    return most;
}

void Inspector::apply() {
    if (!m_elector && m_cluster.isEmpty())
        return;
    clearTimingErrors();
    const Timing timing = editedTiming();
    try {
        validate(timing);
    } catch (const ConfigError& e) {
        showTimingError(e.field(), QString::fromStdString(e.what()));
        return;
    }
    Action action;
    action.kind = Action::Kind::Timing;
    action.timing = timing;
    if (m_elector) {
        action.elector = m_elector->id;
        Q_EMIT actionRequested(action);
        return;
    }
    // The whole cluster: every elector that can take new timings now.
    for (const ElectorView& e : m_cluster) {
        if (!actionUnavailableReason(e, Action::Kind::Timing).isEmpty())
            continue;
        action.elector = e.id;
        Q_EMIT actionRequested(action);
    }
}

void Inspector::revert() {
    clearTimingErrors();
    if (m_elector)
        loadTiming(m_elector->timing);
    else if (const std::optional<Timing> t = clusterTiming())
        loadTiming(*t);
}

void Inspector::request(Action::Kind kind) {
    if (!m_elector || !actionUnavailableReason(*m_elector, kind).isEmpty())
        return;
    Action action;
    action.kind = kind;
    action.elector = m_elector->id;
    switch (kind) {
    case Action::Kind::Pause:
        action.duration = fromSeconds(m_pauseSeconds->value());
        break;
    case Action::Kind::Partition:
        action.duration = fromSeconds(m_partitionSeconds->value());
        break;
    case Action::Kind::Latency:
        action.extra = std::chrono::milliseconds(m_latencyMs->value());
        action.duration = fromSeconds(m_latencySeconds->value());
        break;
    case Action::Kind::Drift:
        action.rate = m_driftRate->value();
        break;
    default:
        break;
    }
    Q_EMIT actionRequested(action);
}

void Inspector::loadTiming(const Timing& timing) {
    m_ttl->setValue(toSeconds(timing.ttl));
    m_refresh->setValue(toSeconds(timing.refreshInterval));
    m_retry->setValue(toSeconds(timing.retryInterval));
}

void Inspector::clearTimingErrors() {
    for (QLabel* label : {m_ttlError, m_refreshError, m_retryError, m_timingError}) {
        label->clear();
        label->hide();
    }
}

void Inspector::showTimingError(const std::string& field, const QString& message) {
    QLabel* label = m_timingError;
    QDoubleSpinBox* spin = nullptr;
    if (field == "ttl") {
        label = m_ttlError;
        spin = m_ttl;
    } else if (field == "refreshInterval") {
        label = m_refreshError;
        spin = m_refresh;
    } else if (field == "retryInterval") {
        label = m_retryError;
        spin = m_retry;
    }
    label->setText(label == m_timingError ? message : ruleOf(message));
    label->show();
    if (spin != nullptr)
        spin->setFocus(Qt::OtherFocusReason);
}

void Inspector::updateInfo() {
    const QString none = QStringLiteral("\u2014");
    setElectorRowsVisible(m_elector.has_value());
    // Another library's lock: its TTL is seen, its refresh and retry are not; nothing to edit.
    const bool timingKnown =
        m_elector ? m_elector->timingKnown
                  : std::any_of(m_cluster.cbegin(), m_cluster.cend(),
                                [](const ElectorView& e) { return e.timingKnown; }) ||
                        m_cluster.isEmpty();
    m_timingBox->setVisible(timingKnown);
    if (!m_elector) {
        m_title->setText(m_cluster.isEmpty() ? tr("No elector selected") : tr("Cluster"));
        for (QLabel* label : {m_kind, m_state, m_fence, m_seenLeader, m_lease, m_clockRate,
                              m_latency, m_storeCalls, m_note})
            label->setText(none);
        updateClusterInfo();
        return;
    }
    const ElectorView& e = *m_elector;
    m_title->setText(e.identity);
    m_kind->setText(kindName(e.kind) + (e.pollingOnly ? tr(", polling-only mode") : QString()));
    QString state = stateName(e.state);
    if (e.believesLeader && e.state != ElectorState::Leader)
        state += tr(" (believes it leads)");
    m_state->setText(state);
    QPalette palette = m_state->palette();
    palette.setColor(QPalette::WindowText, stateColor(e.state, isDarkPalette(palette)));
    m_state->setPalette(palette);
    m_fence->setText(e.fence == 0 ? none : QString::number(e.fence));
    m_seenLeader->setText(e.seenLeader.isEmpty() ? tr("none seen") : e.seenLeader);
    if (e.leaseEnd <= e.leaseStart) {
        m_lease->setText(none);
    } else {
        const QString what = e.state == ElectorState::Leader ? tr("deadline") : tr("next try");
        if (m_now) {
            m_lease->setText(tr("%1 s to its %2 (at %3 s)")
                                 .arg(formatSeconds(leaseRemaining(e, *m_now)), what,
                                      formatSeconds(e.leaseEnd)));
        } else {
            m_lease->setText(tr("%1 at %2 s").arg(what, formatSeconds(e.leaseEnd)));
        }
    }
    m_clockRate->setText(formatRate(e.clockRate));
    m_latency->setText(formatLatency(e.latency));
    m_storeCalls->setText(QString::number(e.storeCalls));
    m_note->setText(e.note.isEmpty() ? none : e.note);
    m_inEffect->setText(tr("In effect: TTL %1 s, refresh %2 s, retry %3 s")
                            .arg(formatSeconds(e.timing.ttl),
                                 formatSeconds(e.timing.refreshInterval),
                                 formatSeconds(e.timing.retryInterval)));
}

void Inspector::setElectorRowsVisible(bool visible) {
    for (QLabel* label : {m_kind, m_state, m_fence, m_seenLeader, m_lease, m_clockRate, m_latency,
                          m_storeCalls, m_note})
        m_info->setRowVisible(label, visible);
    for (QLabel* label : {m_clusterElectors, m_clusterLeader, m_clusterTimings, m_clusterHint})
        m_info->setRowVisible(label, !visible && !m_cluster.isEmpty());
}

void Inspector::updateClusterInfo() {
    if (m_cluster.isEmpty()) {
        m_inEffect->clear();
        return;
    }
    int running = 0;
    QStringList leaders;
    for (const ElectorView& e : m_cluster) {
        running += e.state != ElectorState::Crashed && e.state != ElectorState::Stopped;
        if (e.believesLeader)
            leaders << QStringLiteral("%1 (fence %2)").arg(e.identity).arg(e.fence);
    }
    m_clusterElectors->setText(running == m_cluster.size()
                                   ? tr("%1, all running").arg(m_cluster.size())
                                   : tr("%1, %2 running").arg(m_cluster.size()).arg(running));
    m_clusterLeader->setText(leaders.isEmpty() ? tr("none") : leaders.join(u", "));
    if (std::none_of(m_cluster.cbegin(), m_cluster.cend(),
                     [](const ElectorView& e) { return e.timingKnown; })) {
        m_clusterTimings->setText(tr("not known (another library's lock: only its TTL is seen)"));
        m_clusterHint->setText(tr("Select a holder (click it, or use the arrow keys) to see its "
                                  "terms. Baton only watches this lock: nothing here changes it."));
        m_inEffect->clear();
        return;
    }
    m_clusterHint->setText(tr("Timings below apply to every elector. Select one (click it, or "
                              "use the arrow keys) to inspect it and inject faults."));
    const std::optional<Timing> common = clusterTiming();
    const auto differ =
        std::count_if(m_cluster.cbegin(), m_cluster.cend(),
                      [&](const ElectorView& e) { return !sameTiming(e.timing, *common); });
    const QString timing =
        tr("TTL %1 s, refresh %2 s, retry %3 s")
            .arg(formatSeconds(common->ttl), formatSeconds(common->refreshInterval),
                 formatSeconds(common->retryInterval));
    m_clusterTimings->setText(differ == 0 ? tr("the same for all")
                                          : tr("%n differ", "", int(differ)));
    m_inEffect->setText(
        (differ == 0 ? tr("In effect on all: %1") : tr("In effect on most: %1")).arg(timing));
}

void Inspector::updateEnabled() {
    const QString pickOne = tr("Select an elector first");
    for (auto it = m_actionButtons.cbegin(); it != m_actionButtons.cend(); ++it) {
        const QString why = m_elector ? actionUnavailableReason(*m_elector, it.value()) : pickOne;
        QAbstractButton* button = it.key();
        button->setEnabled(why.isEmpty());
        button->setToolTip(why.isEmpty() ? QString() : why);
        for (QWidget* input : m_buttonInputs.value(button))
            input->setEnabled(why.isEmpty());
    }
    const QString timingWhy = m_elector ? actionUnavailableReason(*m_elector, Action::Kind::Timing)
                                        : (m_cluster.isEmpty() ? pickOne : QString());
    const bool editable = timingWhy.isEmpty();
    for (QWidget* w : std::initializer_list<QWidget*>{m_ttl, m_refresh, m_retry, m_revert})
        w->setEnabled(editable);
    m_apply->setEnabled(editable);
    const QString applyTip = m_elector ? tr("Change the timings while it runs")
                                       : tr("Change every elector's timings while they run");
    m_apply->setToolTip(editable ? applyTip : timingWhy);
    m_tune->setEnabled(m_elector.has_value() || !m_cluster.isEmpty());
}

} // namespace baton::lab
