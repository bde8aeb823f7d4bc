// Every word of the lab readable at 100%, 125%, 150% and 200% (ctest runs this suite once per
// QT_SCALE_FACTOR): a real window on the offscreen platform, sized as a 2560x1440 screen leaves
// it at that scale. The cluster view lays its words out measured with QFontMetricsF; the test
// asserts that none overlaps another, a link or a node, that each stays inside its place (the
// view, a node's face, the lock's face), and that what is elided has a tooltip with all of it.
// Tables, the statistics and the status bar: nothing squeezed below what its text needs.

#include "cluster/cluster_view.h"
#include "common/eliding_label.h"
#include "support/lab_events.h"
#include "support/lab_test_case.h"
#include "support/lab_window.h"
#include "windows/lab_status_bar.h"
#include "windows/main_window.h"

#include <QAction>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTest>

#include <cmath>

using namespace baton;
using namespace baton::lab;
using namespace std::chrono_literals;

namespace {

// The window's size on a 2560x1440 screen at this scale: 1360x860 at most (the lab's own).
QSize windowSize() {
    const double scale = qEnvironmentVariableIsSet("QT_SCALE_FACTOR")
                             ? qEnvironmentVariable("QT_SCALE_FACTOR").toDouble()
                             : 1.0;
    return QSize(int(2560 / scale * 0.95), int(1440 / scale * 0.9)).boundedTo(QSize(1360, 860));
}

QString describe(const PlacedLabel& l) {
    return QStringLiteral("%1 '%2' of elector %3 at (%4, %5, %6x%7)")
        .arg(l.role, l.text)
        .arg(l.elector)
        .arg(l.rect.x())
        .arg(l.rect.y())
        .arg(l.rect.width())
        .arg(l.rect.height());
}

// Whether segment `s` crosses rectangle `r` (Liang-Barsky clipping).
bool crosses(const QLineF& s, const QRectF& r) {
    double t0 = 0;
    double t1 = 1;
    const double dx = s.dx();
    const double dy = s.dy();
    const double p[] = {-dx, dx, -dy, dy};
    const double q[] = {s.x1() - r.left(), r.right() - s.x1(), s.y1() - r.top(),
                        r.bottom() - s.y1()};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1)
            return false;
    }
    return true;
}

// Whether the disc at `c` of radius `radius` overlaps rectangle `r`.
bool overlapsDisc(const QRectF& r, QPointF c, double radius) {
    const double x = std::clamp(c.x(), r.left(), r.right());
    const double y = std::clamp(c.y(), r.top(), r.bottom());
    return std::hypot(c.x() - x, c.y() - y) < radius;
}

ElectorView agent(int id, quint64 fence) {
    ElectorView e;
    e.id = id;
    e.identity = QStringLiteral("lab-host-%1-agent-%2").arg(4242 + id).arg(id + 1);
    e.kind = ElectorKind::Agent;
    e.fence = fence;
    return e;
}

// The widest cell of column `c` as the table's font measures its text, with the cell margins.
int widestCell(const QTableView& table, int c) {
    int widest = 0;
    const QFontMetrics fm(table.font());
    for (int r = 0; r < table.model()->rowCount(); ++r)
        widest =
            std::max(widest, fm.horizontalAdvance(table.model()->index(r, c).data().toString()));
    return widest + 2 * table.style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, &table);
}

} // namespace

class TestLabelLayout : public baton::test::LabTestCase {
    Q_OBJECT

    // The cluster view's words as laid out now: each measured, in its place, apart from the
    // others, the links and the nodes; elided only with a tooltip that has all of it.
    void checkCluster(const ClusterView& view) {
        const ClusterLayout l = view.layout();
        const QRectF bounds(QPointF(0, 0), QSizeF(view.size()));
        for (int i = 0; i < l.labels.size(); ++i) {
            const PlacedLabel& a = l.labels[i];
            const QFontMetricsF fm(a.font);
            QVERIFY2(fm.horizontalAdvance(a.text) <= a.rect.width() + 0.5 &&
                         fm.height() <= a.rect.height() + 0.5,
                     qPrintable(u"not measured: "_qs + describe(a)));
            QVERIFY2(bounds.contains(a.rect), qPrintable(u"outside the view: "_qs + describe(a)));
            if (a.circleRadius > 0)
                for (QPointF corner : {a.rect.topLeft(), a.rect.topRight(), a.rect.bottomLeft(),
                                       a.rect.bottomRight()}) {
                    const QPointF d = corner - a.circleCentre;
                    QVERIFY2(std::hypot(d.x(), d.y()) <= a.circleRadius + 0.5,
                             qPrintable(u"out of its circle: "_qs + describe(a)));
                }
            for (int j = i + 1; j < l.labels.size(); ++j) {
                const QRectF both = a.rect.intersected(l.labels[j].rect);
                QVERIFY2(both.width() * both.height() < 0.5,
                         qPrintable(describe(a) + u" overlaps "_qs + describe(l.labels[j])));
            }
            for (const auto& [id, link] : l.links)
                QVERIFY2(!crosses(link, a.rect),
                         qPrintable(describe(a) + u" is crossed by the link of %1"_qs.arg(id)));
            if (a.circleRadius == 0)
                for (int n = 0; n < l.nodes.size(); ++n)
                    QVERIFY2(!overlapsDisc(a.rect, l.nodes[n], l.nodeOuter()),
                             qPrintable(describe(a) + u" overlaps node %1"_qs.arg(n)));
            if (a.elided()) {
                const QString tip =
                    a.elector >= 0 ? view.tooltipText(a.elector) : view.lockTooltip();
                for (const QString& part : a.full.split(u" · "_qs))
                    QVERIFY2(tip.contains(part.toHtmlEscaped()),
                             qPrintable(describe(a) + u": the tooltip lacks "_qs + part));
            }
        }
    }

    QString roleText(const ClusterView& view, const QString& role, int elector) {
        for (const PlacedLabel& l : view.layout().labels)
            if (l.role == role && l.elector == elector)
                return l.text;
        return {};
    }

    void act(MainWindow& w, int elector, const char* name, double seconds) {
        w.clusterView()->setSelected(elector);
        w.findChild<QDoubleSpinBox*>(u"faultLength"_qs)->setValue(seconds);
        w.action(QString::fromLatin1(name))->trigger();
    }

    // With BATON_LAYOUT_SHOTS=DIR, the window as the test saw it, to look at.
    void shoot(QWidget& w, const QString& name) {
        const QString dir = qEnvironmentVariable("BATON_LAYOUT_SHOTS");
        if (!dir.isEmpty())
            w.grab().save(dir + u'/' + name + u'-' +
                          qEnvironmentVariable("QT_SCALE_FACTOR", u"1"_qs) + u".png"_qs);
    }

    // Shows `w` at this scale's size and waits until somebody leads.
    void openAtThisScale(MainWindow& w) {
        w.resize(windowSize());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY_WITH_TIMEOUT(lab_events::leaderOf(w.controller().snapshot()) >= 0, 5000);
    }

private Q_SLOTS:
    // Test-mode settings outlive a run (the window's layout among them): start from defaults.
    void initTestCase() { QSettings().clear(); }

    // Given the lab at this scale, when a leader leads, a follower is partitioned and the leader
    // is paused past its TTL (it still believes it leads), then every word fits its place.
    void clusterWordsFitInTheWindow() {
        MainWindow w(baton::test::fast());
        openAtThisScale(w);
        const ClusterView& view = *w.clusterView();
        checkCluster(view);
        const int leader = lab_events::leaderOf(view.snapshot());
        const int follower = (leader + 1) % 5;
        act(w, follower, "partitionElector", 600);
        QTRY_VERIFY(view.snapshot().electors[follower].state == ElectorState::Partitioned);
        // A leader whose clock runs at 0.6 and that is cut off: its lease outlives the lock by
        // seconds of virtual time (at 2x, so the test sees it), while another leads.
        Action slow;
        slow.kind = Action::Kind::Drift;
        slow.elector = leader;
        slow.rate = 0.6;
        w.controller().act(slow);
        w.controller().setSpeed(2);
        act(w, leader, "partitionElector", 600);
        QTRY_VERIFY_WITH_TIMEOUT(lab_events::otherLeader(view.snapshot(), leader, true) &&
                                     view.snapshot().electors[leader].believesLeader,
                                 10000);
        w.action(u"pauseTime"_qs)->setChecked(true);
        QTRY_VERIFY(view.snapshot().paused);
        QVERIFY(view.snapshot().electors[leader].believesLeader);
        shoot(w, u"cluster"_qs);
        checkCluster(view);
        const int big = view.height() > 260 ? 1 : 0; // nodes big enough for words on them
        if (big) {
            QCOMPARE(roleText(view, u"node-state"_qs, follower), u"partitioned"_qs);
            QCOMPARE(roleText(view, u"node-warning"_qs, leader), u"believes it leads!"_qs);
        }
    }

    // Given Redis-mode electors (long identities, fences of 16 digits), then names and fences
    // fit or elide with a tooltip, and fences read as term numbers.
    void redisWordsFit() {
        MainWindow w(MainWindow::Options{});
        w.resize(windowSize());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ClusterView view;
        view.resize(w.clusterView()->size());
        ClusterSnapshot s;
        s.simulated = false;
        s.now = 10s;
        for (int i = 0; i < 5; ++i)
            s.electors.push_back(agent(i, 1'796'127'330'854'888ULL + quint64(i)));
        s.electors[2].believesLeader = true;
        s.electors[2].state = ElectorState::Leader;
        s.lock = LockView{true, 2, s.electors[2].identity, s.electors[2].fence, 14s, 5s};
        s.electors[4].believesLeader = true; // and wrongly
        view.setSnapshot(s);
        shoot(view, u"redis"_qs);
        checkCluster(view);
        QCOMPARE(view.fenceText(s.electors[2].fence), u"term 3"_qs);
        QVERIFY(view.lockTooltip().contains(QString::number(s.lock.fence)));
    }

    // Given the docks, then no table column is narrower than its widest cell or its header,
    // the statistics are scrolled rather than squeezed, and the status bar shows one message
    // at a time, clear of its labels, each label's text fitting it or elided with a tooltip.
    void docksAndStatusBarFit() {
        MainWindow w(baton::test::fast());
        openAtThisScale(w);
        w.findChild<QDockWidget*>(u"electorsDock"_qs)->raise();
        auto* table = w.findChild<QTableView*>(u"electorTable"_qs);
        QTRY_VERIFY(table->isVisible());
        QTest::qWait(50); // one layout pass
        shoot(w, u"electors"_qs);
        for (int c = 0; c < table->model()->columnCount(); ++c) {
            // What ResizeToContents asks for: the widest cell, or the header.
            const int needed =
                std::max(table->horizontalHeader()->sectionSizeHint(c), widestCell(*table, c));
            QVERIFY2(
                table->columnWidth(c) >= needed,
                qPrintable(u"column %1: %2 < %3"_qs.arg(c).arg(table->columnWidth(c)).arg(needed)));
        }
        w.findChild<QDockWidget*>(u"statsDock"_qs)->raise();
        auto* scroll = w.findChild<QScrollArea*>(u"statsScroll"_qs);
        QTRY_VERIFY(scroll->isVisible());
        QWidget* panel = scroll->widget();
        QVERIFY(panel->height() >= panel->minimumSizeHint().height());
        QVERIFY(panel->width() >= panel->minimumSizeHint().width());
        shoot(w, u"stats"_qs);

        w.statusBar()->showMessage(
            u"Redis mode on redis://127.0.0.1:6379: add electors from the Redis menu; agents "
            "started elsewhere on resource job-scheduler appear by themselves"_qs);
        QTest::qWait(50);
        auto* bar = dynamic_cast<LabStatusBar*>(w.statusBar());
        QVERIFY(bar);
        QVERIFY(bar->fontMetrics().horizontalAdvance(bar->shownMessage()) <=
                bar->messageRect().width());
        if (bar->shownMessage() != bar->currentMessage()) {
            bar->repaint();
            QCOMPARE(bar->toolTip(), bar->currentMessage());
        }
        QList<QRect> taken{bar->messageRect()};
        for (QLabel* label : bar->findChildren<QLabel*>()) {
            if (!label->isVisible() || label->text().isEmpty())
                continue;
            for (const QRect& other : taken)
                QVERIFY2(!label->geometry().intersects(other), qPrintable(label->text()));
            taken << label->geometry();
            if (auto* e = dynamic_cast<ElidingLabel*>(label)) {
                QVERIFY(e->fontMetrics().horizontalAdvance(e->shownText()) <=
                        e->contentsRect().width());
            } else {
                QVERIFY2(label->fontMetrics().horizontalAdvance(label->text()) <=
                             label->contentsRect().width(),
                         qPrintable(label->text()));
            }
        }
    }
};

QTEST_MAIN(TestLabelLayout)
#include "test_label_layout.moc"
