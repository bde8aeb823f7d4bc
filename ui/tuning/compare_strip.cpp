#include "tuning/compare_strip.h"

#include "style/lab_colors.h"

#include <baton/sim/simulator.h>

#include <QPainter>

#include <set>

namespace baton::lab {

StripRun stripRun(const QString& title, const Scenario& scenario) {
    const History history = simulate(scenario);
    const Report report = check(history);
    StripRun run{title, history.start, history.end, scenario.electors, report.intervals, {}};
    // A whole-store outage strikes every elector: one mark is enough.
    std::set<std::pair<TimePoint, FaultKind>> seen;
    for (const FaultRecord& f : history.faults) {
        const bool shown = f.kind == FaultKind::Crash || f.kind == FaultKind::Stop ||
                           f.kind == FaultKind::Pause || f.kind == FaultKind::Partition;
        if (f.applied && shown && seen.insert({f.at, f.kind}).second)
            run.faults.push_back(f);
    }
    return run;
}

CompareStrip::CompareStrip(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("compareStrip"));
    setMinimumHeight(110);
}

void CompareStrip::setRuns(std::vector<StripRun> runs) {
    m_runs = std::move(runs);
    update();
}

void CompareStrip::paintRun(QPainter& p, const StripRun& run, const QRect& row) const {
    const double span = std::max(1.0, toSeconds(run.end - run.start));
    const auto x = [&](TimePoint t) {
        return row.left() + static_cast<int>(toSeconds(t - run.start) / span * row.width());
    };
    const bool dark = darkPaletteInUse();
    const QRect bar = row.adjusted(0, 14, 0, 0);
    p.fillRect(bar, errorColor(dark)); // red wherever nobody leads
    for (const LeadershipInterval& term : run.terms) {
        // Hues from yellow to violet: red is for the gaps.
        const QColor colour =
            QColor::fromHsv(60 + (term.elector * 67) % 240, 120, dark ? 170 : 200);
        p.fillRect(QRect(QPoint(x(term.begin), bar.top()), QPoint(x(term.end), bar.bottom())),
                   colour);
    }
    for (const FaultRecord& f : run.faults) {
        QColor mark = f.kind == FaultKind::Partition ? QColor(110, 110, 110)
                      : f.kind == FaultKind::Crash   ? QColor(200, 30, 30)
                      : f.kind == FaultKind::Stop    ? QColor(40, 110, 220)
                                                     : QColor(220, 150, 0);
        const int from = x(f.at);
        const int to =
            f.end == TimePoint::max() || f.kind == FaultKind::Crash || f.kind == FaultKind::Stop
                ? from + 2
                : std::max(from + 2, x(f.end));
        p.fillRect(QRect(QPoint(from, row.top() + 4), QPoint(to, row.top() + 11)), mark);
    }
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(row.left(), bar.top(), row.width(), bar.height()), Qt::AlignCenter, run.title);
}

void CompareStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (m_runs.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("Compare shows both timings under the same faults"));
        return;
    }
    const int legend = 18;
    const int height = (this->height() - legend) / static_cast<int>(m_runs.size());
    for (std::size_t i = 0; i < m_runs.size(); ++i)
        paintRun(p, m_runs[i],
                 QRect(8, static_cast<int>(i) * height + 2, width() - 16, height - 6));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(8, this->height() - legend, width() - 16, legend), Qt::AlignLeft,
               tr("colour: who leads, red: nobody; marks: crash (red), stop (blue), pause "
                  "(amber), outage (grey); %1 of virtual time")
                   .arg(QString::fromStdString(
                       formatDuration(std::chrono::duration_cast<std::chrono::seconds>(
                           m_runs.front().end - m_runs.front().start)))));
}

} // namespace baton::lab
