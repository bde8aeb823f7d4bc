#include "tuning/tuning_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace baton::lab {

namespace {

Duration seconds(double s) {
    return Duration(static_cast<Duration::rep>(std::llround(s * 1e9)));
}

double secondsOf(Duration d) {
    return std::chrono::duration<double>(d).count();
}

QStringList items(const QLineEdit* edit, const char* field) {
    QStringList out;
    for (const QString& item : edit->text().split(u','))
        if (!item.trimmed().isEmpty())
            out << item.trimmed();
    if (out.isEmpty())
        throw std::invalid_argument(std::string(field) + ": the list is empty");
    return out;
}

Duration durationItem(const QString& item, const char* field) {
    try {
        return parseDuration(item.toStdString());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(field) + ": " + e.what());
    }
}

QString durationList(std::vector<Duration> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    QStringList out;
    for (Duration d : values)
        out << QString::fromStdString(formatDuration(d));
    return out.join(u", ");
}

} // namespace

TuningForm::TuningForm(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildGrid());
    layout->addWidget(buildProfile());
    layout->addWidget(buildReplication());
    layout->addWidget(buildRequirements());
    layout->addWidget(buildRun());
    layout->addStretch();
}

QGroupBox* TuningForm::buildGrid() {
    auto* box = new QGroupBox(tr("Timings to try"));
    auto* form = new QFormLayout(box);
    m_ttls = new QLineEdit(QStringLiteral("2s, 5s, 10s, 15s, 30s"));
    m_ttls->setObjectName(QStringLiteral("ttlList"));
    m_ttls->setToolTip(tr("Lock TTLs, separated by commas"));
    form->addRow(tr("TTL:"), m_ttls);
    auto* refreshRow = new QHBoxLayout;
    m_refreshes = new QLineEdit(QStringLiteral("0.1, 0.2, 0.3, 0.4"));
    m_refreshes->setObjectName(QStringLiteral("refreshList"));
    m_refreshMode = new QComboBox;
    m_refreshMode->setObjectName(QStringLiteral("refreshMode"));
    m_refreshMode->addItems({tr("x ttl"), tr("absolute")});
    m_refreshMode->setToolTip(tr("Refresh as fractions of the ttl (each below 0.5), or as "
                                 "durations"));
    refreshRow->addWidget(m_refreshes, 1);
    refreshRow->addWidget(m_refreshMode);
    form->addRow(tr("Refresh:"), refreshRow);
    m_retries = new QLineEdit(QStringLiteral("ttl"));
    m_retries->setObjectName(QStringLiteral("retryList"));
    m_retries->setToolTip(tr("Follower retry intervals; 'ttl' means retry = ttl"));
    form->addRow(tr("Retry:"), m_retries);
    m_polling = new QCheckBox(tr("Also polling-only followers (the seed's design)"));
    m_polling->setObjectName(QStringLiteral("pollingVariant"));
    form->addRow(m_polling);
    return box;
}

QGroupBox* TuningForm::buildProfile() {
    auto* box = new QGroupBox(tr("Failure profile"));
    auto* form = new QFormLayout(box);
    m_electors = new QSpinBox;
    m_electors->setObjectName(QStringLiteral("electorsSpin"));
    m_electors->setRange(1, 100);
    m_electors->setValue(5);
    form->addRow(tr("Electors:"), m_electors);
    m_latency =
        addSlider(form, tr("Latency median:"), QStringLiteral("latency"), 500, 1, tr(" ms"), 1);
    m_latencyP99 =
        addSlider(form, tr("Latency p99:"), QStringLiteral("latencyP99"), 2000, 30, tr(" ms"), 1);
    m_latencyP99->setToolTip(tr("0: no tail; else each trip is log-normal with this p99"));
    m_outage = addSlider(form, tr("Store outage:"), QStringLiteral("outage"), 120, 20, tr(" s"), 1);
    m_outageRate =
        addSpin(form, tr("  outages:"), QStringLiteral("outageRate"), 60, 1, tr(" /h"), 1);
    m_outageHangs = new QCheckBox(tr("calls hang (else fail at once)"));
    m_outageHangs->setObjectName(QStringLiteral("outageHangs"));
    form->addRow(QString(), m_outageHangs);
    m_pause = addSlider(form, tr("Leader pause:"), QStringLiteral("pause"), 60, 0.8, tr(" s"), 2);
    m_pauseRate = addSpin(form, tr("  pauses:"), QStringLiteral("pauseRate"), 120, 2, tr(" /h"), 1);
    m_crashRate =
        addSpin(form, tr("Leader crashes:"), QStringLiteral("crashRate"), 120, 2, tr(" /h"), 1);
    m_stopRate =
        addSpin(form, tr("Graceful stops:"), QStringLiteral("stopRate"), 120, 2, tr(" /h"), 1);
    m_drift = addSpin(form, tr("True clock drift:"), QStringLiteral("drift"), 0.4, 0, {}, 4);
    m_maxDrift =
        addSpin(form, tr("Assumed max drift:"), QStringLiteral("maxDrift"), 0.4, 0.01, {}, 4);
    return box;
}

QGroupBox* TuningForm::buildReplication() {
    m_replication = new QGroupBox(tr("Replication (a primary and a replica under Sentinel)"));
    m_replication->setObjectName(QStringLiteral("replicationGroup"));
    m_replication->setToolTip(
        tr("The store as Redis Sentinel runs it: writes reach the replica after a lag; a dead "
           "primary is replaced after the detection delay and a 1 s election, and what the "
           "replica had not received is lost. Off: one store that never fails over."));
    m_replication->setCheckable(true);
    m_replication->setChecked(false);
    auto* form = new QFormLayout(m_replication);
    m_lag = addSlider(form, tr("Replication lag median:"), QStringLiteral("replicationLag"), 2000,
                      50, tr(" ms"), 1);
    m_lagP99 = addSlider(form, tr("Replication lag p99:"), QStringLiteral("replicationLagP99"),
                         10000, 500, tr(" ms"), 1);
    m_lagP99->setToolTip(tr("0: every write takes the median; else a log-normal tail"));
    m_primaryKills = addSpin(form, tr("Primary failovers:"), QStringLiteral("primaryKills"), 600,
                             60, tr(" /h"), 1);
    m_primaryKills->setToolTip(tr("How often the primary dies (SIGKILL) and Sentinel fails over"));
    m_detection = addSpin(form, tr("Detection delay:"), QStringLiteral("detectionDelay"), 600, 1,
                          tr(" s"), 2);
    m_detection->setToolTip(
        tr("Sentinel's down-after-milliseconds: a dead primary is noticed this late (then a 1 s "
           "election)"));
    m_detection->setMinimum(0.01);
    m_replicaTimeout = addSpin(form, tr("WAIT timeout:"), QStringLiteral("replicaTimeout"), 60000,
                               250, tr(" ms"), 0);
    m_replicaTimeout->setMinimum(1);
    m_wait = new QComboBox;
    m_wait->setObjectName(QStringLiteral("waitMode"));
    m_wait->addItems(
        {tr("Compare: no WAIT and WAIT 1"), tr("No WAIT"), tr("WAIT 1 (--min-replicas 1)")});
    m_wait->setToolTip(tr("WAIT 1: an acquire or extend counts only once the replica has it. "
                          "Compare sets each timing with and without it, side by side"));
    form->addRow(tr("WAIT:"), m_wait);
    return m_replication;
}

void TuningForm::readReplication(TuningRequest& r) const {
    if (!m_replication->isChecked())
        return;
    FailureProfile& p = r.profile;
    p.replicationLag = seconds(m_lag->value() / 1000);
    p.replicationLagP99 = seconds(m_lagP99->value() / 1000);
    p.primaryKillRate = m_primaryKills->value();
    p.failoverAfter = seconds(m_detection->value());
    p.replicaTimeout = seconds(m_replicaTimeout->value() / 1000);
    p.minReplicas = m_wait->currentIndex() == 2 ? 1 : 0;
    r.grid.waitVariant = m_wait->currentIndex() == 0;
}

QGroupBox* TuningForm::buildRequirements() {
    auto* box = new QGroupBox(tr("Requirements (ticked ones)"));
    auto* form = new QFormLayout(box);
    // Ticked at first: the example, a leader that must survive a 20 s store outage.
    m_needOutage = addRequirement(form, tr("Ride out an outage of"), QStringLiteral("needOutage"),
                                  600, 20, tr(" s"));
    m_ticks.value(m_needOutage)->setChecked(true);
    m_needPause = addRequirement(form, tr("Ride out a pause of"), QStringLiteral("needPause"), 600,
                                 1, tr(" s"));
    m_needFailover = addRequirement(form, tr("Failover p99 at most"),
                                    QStringLiteral("needFailover"), 600, 10, tr(" s"));
    m_needFollower = addRequirement(form, tr("Follower load at most"),
                                    QStringLiteral("needFollower"), 100, 0.5, tr(" req/s"));
    m_needSpurious = addRequirement(form, tr("Spurious revocations at most"),
                                    QStringLiteral("needSpurious"), 1000, 0, tr(" /day"));
    return box;
}

QGroupBox* TuningForm::buildRun() {
    auto* box = new QGroupBox(tr("Sweep"));
    auto* form = new QFormLayout(box);
    m_seeds = new QSpinBox;
    m_seeds->setObjectName(QStringLiteral("seedsSpin"));
    m_seeds->setRange(1, 1000);
    m_seeds->setValue(4);
    form->addRow(tr("Seeds a point:"), m_seeds);
    m_hours =
        addSpin(form, tr("Virtual time a seed:"), QStringLiteral("hoursSpin"), 48, 1, tr(" h"), 2);
    m_hours->setMinimum(0.02);
    return box;
}

namespace {

QDoubleSpinBox* secondsSpin(const QString& name, double max, double value, const QString& suffix,
                            int decimals) {
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(name);
    spin->setDecimals(decimals);
    spin->setRange(0, max);
    spin->setValue(value);
    spin->setSuffix(suffix);
    return spin;
}

} // namespace

QDoubleSpinBox* TuningForm::addSpin(QFormLayout* form, const QString& label, const QString& name,
                                    double max, double value, const QString& suffix, int decimals) {
    QDoubleSpinBox* spin = secondsSpin(name, max, value, suffix, decimals);
    form->addRow(label, spin);
    return spin;
}

QDoubleSpinBox* TuningForm::addSlider(QFormLayout* form, const QString& label, const QString& name,
                                      double max, double value, const QString& suffix,
                                      int decimals) {
    QDoubleSpinBox* spin = secondsSpin(name, max, value, suffix, decimals);
    // A square-root scale: fine steps where values are small (latency, short pauses).
    auto* slider = new QSlider(Qt::Horizontal);
    slider->setObjectName(name + u"Slider");
    slider->setRange(0, 1000);
    const auto toSlider = [max](double v) {
        return static_cast<int>(std::lround(std::sqrt(std::max(v, 0.0) / max) * 1000));
    };
    slider->setValue(toSlider(value));
    auto* row = new QHBoxLayout;
    row->addWidget(spin);
    row->addWidget(slider, 1);
    form->addRow(label, row);
    connect(slider, &QSlider::valueChanged, spin, [spin, max, toSlider](int v) {
        if (toSlider(spin->value()) != v) // not the echo of the spin box's own change
            spin->setValue(max * (v / 1000.0) * (v / 1000.0));
    });
    connect(spin, &QDoubleSpinBox::valueChanged, slider,
            [slider, toSlider](double v) { slider->setValue(toSlider(v)); });
    return spin;
}

QDoubleSpinBox* TuningForm::addRequirement(QFormLayout* form, const QString& label,
                                           const QString& name, double max, double value,
                                           const QString& suffix) {
    auto* check = new QCheckBox(label);
    check->setObjectName(name + u"Check");
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(name);
    spin->setDecimals(2);
    spin->setRange(0, max);
    spin->setValue(value);
    spin->setSuffix(suffix);
    spin->setEnabled(false);
    connect(check, &QCheckBox::toggled, spin, &QWidget::setEnabled);
    form->addRow(check, spin);
    m_ticks.insert(spin, check);
    return spin;
}

void TuningForm::prefill(const ClusterSnapshot& s, int id) {
    if (s.electors.isEmpty())
        return;
    const ElectorView& first =
        id >= 0 && id < s.electors.size() ? s.electors[id] : s.electors.front();
    m_clusterTiming = first.timing;
    m_electors->setValue(static_cast<int>(s.electors.size()));
    m_latency->setValue(std::chrono::duration<double, std::milli>(first.latency).count());
    if (m_latencyP99->value() > 0) // a tail stays a tail of this median
        m_latencyP99->setValue(std::max(m_latencyP99->value(), 5 * m_latency->value()));
    const Timing& t = first.timing;
    std::vector<Duration> ttls{2s, 5s, 10s, 15s, 30s, t.ttl};
    m_ttls->setText(durationList(ttls));
    QStringList ratios{QStringLiteral("0.1"), QStringLiteral("0.2"), QStringLiteral("0.3"),
                       QStringLiteral("0.4")};
    const double ratio = secondsOf(t.refreshInterval) / secondsOf(t.ttl);
    const QString own = QString::number(ratio, 'g', 3);
    if (ratio > 0 && ratio < 0.5 && !ratios.contains(own)) {
        ratios << own;
        std::sort(ratios.begin(), ratios.end(),
                  [](const QString& a, const QString& b) { return a.toDouble() < b.toDouble(); });
    }
    m_refreshMode->setCurrentIndex(0);
    m_refreshes->setText(ratios.join(u", "));
    m_retries->setText(t.retryInterval == t.ttl
                           ? QStringLiteral("ttl")
                           : QStringLiteral("ttl, ") +
                                 QString::fromStdString(formatDuration(t.retryInterval)));
}

TuningRequest TuningForm::request() const {
    TuningRequest r;
    for (const QString& item : items(m_ttls, "ttl"))
        r.grid.ttls.push_back(durationItem(item, "ttl"));
    for (const QString& item : items(m_refreshes, "refresh")) {
        if (m_refreshMode->currentIndex() == 0) {
            bool ok = false;
            const double ratio = item.toDouble(&ok);
            if (!ok)
                throw std::invalid_argument("refresh: '" + item.toStdString() +
                                            "' is not a fraction of the ttl (e.g. 0.2)");
            r.grid.refreshRatios.push_back(ratio);
        } else {
            r.grid.refreshes.push_back(durationItem(item, "refresh"));
        }
    }
    for (const QString& item : items(m_retries, "retry")) {
        if (item == u"ttl")
            r.grid.retryEqualsTtl = true;
        else
            r.grid.retries.push_back(durationItem(item, "retry"));
    }
    r.grid.pollingVariant = m_polling->isChecked();
    FailureProfile& p = r.profile;
    p.electors = m_electors->value();
    p.latency = seconds(m_latency->value() / 1000);
    p.latencyP99 = seconds(m_latencyP99->value() / 1000);
    p.outage = seconds(m_outage->value());
    p.outageRate = m_outageRate->value();
    p.outageHangs = m_outageHangs->isChecked();
    p.pause = seconds(m_pause->value());
    p.pauseRate = m_pauseRate->value();
    p.crashRate = m_crashRate->value();
    p.stopRate = m_stopRate->value();
    p.drift = m_drift->value();
    p.maxDrift = m_maxDrift->value();
    readReplication(r);
    TuningRequirements& need = r.requirements;
    const auto ticked = [this](QDoubleSpinBox* spin) { return m_ticks.value(spin)->isChecked(); };
    if (ticked(m_needOutage))
        need.rideOutOutage = seconds(m_needOutage->value());
    if (ticked(m_needPause))
        need.rideOutPause = seconds(m_needPause->value());
    if (ticked(m_needFailover))
        need.failoverP99 = seconds(m_needFailover->value());
    if (ticked(m_needFollower))
        need.followerRequests = m_needFollower->value();
    if (ticked(m_needSpurious))
        need.spuriousPerDay = m_needSpurious->value();
    r.seeds = m_seeds->value();
    r.duration = seconds(m_hours->value() * 3600);
    validate(r);
    return r;
}

} // namespace baton::lab
