// The timeline's tooltips: what lies under the pointer, in words (terms, holds, faults,
// overlaps), within a few pixels either side.
#include "timeline/timeline_view.h"

#include "timeline/timeline_units.h"

#include <QStringList>

#include <algorithm>

namespace baton::lab {

namespace {

QString spanText(LabTime begin, LabTime end, bool open) {
    if (open)
        return u"since " + secondsText(begin) + u" (" + secondsText(end - begin) + u" so far)";
    return u"from " + secondsText(begin) + u" to " + secondsText(end) + u" (" +
           secondsText(end - begin) + u")";
}

void appendFaults(QStringList& lines, const QString& who, const QVector<FaultItem>& faults,
                  LabTime now) {
    for (const FaultItem& fault : faults) {
        QString line = who + u' ' + fault.kind + u' ';
        if (fault.instant)
            line += u"at " + secondsText(fault.begin);
        else
            line += spanText(fault.begin, fault.endOr(now), fault.open);
        if (fault.open && fault.until > LabTime::zero())
            line += u", planned until " + secondsText(fault.until);
        if (!fault.detail.isEmpty())
            line += u": " + fault.detail;
        lines.append(line);
    }
}

} // namespace

QString TimelineView::toolTipAt(const QPoint& pos) const {
    const Frame f = widgetFrame();
    if (!f.canvas.contains(pos))
        return {};
    const LabTime t = f.time(pos.x());
    const Duration tolerance = timelineSeconds(3 / f.pps);
    const LabTime lo = t - tolerance;
    const LabTime hi = t + tolerance;

    if (pos.y() < f.plot.top()) {
        if (pos.x() < f.plot.left())
            return {};
        QStringList lines;
        for (const OverlapItem& o : m_history->overlaps(lo, hi))
            lines.append(overlapText(o, f.now));
        return lines.join(u'\n');
    }
    const int index = (pos.y() - f.firstLaneY) / f.laneHeight;
    if (pos.y() < f.firstLaneY || index >= f.lanes.size())
        return {};
    const int elector = f.lanes[index];
    if (pos.x() < f.plot.left())
        return elector == StoreLane ? tr("the lock as the store holds it")
                                    : m_history->identity(elector);
    if (elector == StoreLane)
        return storeToolTip(f.now, lo, hi);
    return electorToolTip(f.now, elector, t, lo, hi);
}

QString TimelineView::overlapText(const OverlapItem& o, LabTime now) const {
    QStringList who;
    for (int id : o.electors)
        who.append(m_history->identity(id));
    return tr("overlap: %1 led at once %2")
        .arg(who.join(tr(" and ")), spanText(o.begin, o.endOr(now), o.open));
}

QString TimelineView::storeToolTip(LabTime now, LabTime lo, LabTime hi) const {
    QStringList lines;
    for (const HolderItem& h : m_history->holders(lo, hi)) {
        const LabTime end = h.endOr(now);
        lines.append(h.open ? tr("lock held by %1 #%2 since %3 (%4 so far)")
                                  .arg(h.identity, QString::number(h.fence), secondsText(h.begin),
                                       secondsText(end - h.begin))
                            : tr("lock held by %1 #%2 from %3 to %4 (%5)")
                                  .arg(h.identity, QString::number(h.fence), secondsText(h.begin),
                                       secondsText(end), secondsText(end - h.begin)));
    }
    appendFaults(lines, tr("all electors:"), m_history->clusterFaults(lo, hi), now);
    for (const OverlapItem& o : m_history->overlaps(lo, hi))
        lines.append(overlapText(o, now));
    return lines.join(u'\n');
}

QString TimelineView::electorToolTip(LabTime now, int elector, LabTime t, LabTime lo,
                                     LabTime hi) const {
    QStringList lines;
    const QString who = m_history->identity(elector);
    for (const TermItem& term : m_history->terms(elector, lo, hi)) {
        const LabTime end = term.endOr(now);
        if (term.open) {
            lines.append(tr("%1 leader #%2 from %3, leading now (%4 so far)")
                             .arg(who, QString::number(term.fence), secondsText(term.begin),
                                  secondsText(end - term.begin)));
            if (term.deadline > LabTime::zero())
                lines.append(tr("self-fencing deadline %1").arg(secondsText(term.deadline)));
        } else {
            lines.append(tr("%1 leader #%2 from %3 to %4 (%5)")
                             .arg(who, QString::number(term.fence), secondsText(term.begin),
                                  secondsText(end), secondsText(end - term.begin)));
            lines.append(tr("ended: %1").arg(termEndName(term.how)));
        }
    }
    const QVector<LabTime> ticks = m_history->extendTicks(elector, lo, hi);
    if (!ticks.isEmpty()) {
        const auto nearest =
            std::min_element(ticks.begin(), ticks.end(), [t](LabTime a, LabTime b) {
                return (a > t ? a - t : t - a) < (b > t ? b - t : t - b);
            });
        lines.append(tr("extended at %1").arg(secondsText(*nearest)));
    }
    for (const OverlapItem& o : m_history->overlaps(lo, hi))
        if (o.electors.contains(elector))
            lines.append(overlapText(o, now));
    appendFaults(lines, who, m_history->faults(elector, lo, hi), now);
    return lines.join(u'\n');
}

} // namespace baton::lab
