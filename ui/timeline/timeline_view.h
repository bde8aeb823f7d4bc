#pragma once
// The timeline: one lane per elector with its leadership terms (labelled with their fence),
// extend ticks and faults, a lane for the store's holder, overlaps in red and a "now" line.
// Paints from a LeadershipHistory; follows live until the operator scrolls back.

#include "timeline/leadership_history.h"

#include <QWidget>

#include <optional>

class QPainter;
class QScrollBar;

namespace baton::lab {

class TimelineView : public QWidget {
    Q_OBJECT
public:
    /// The lane of the store's holder (and of faults that hit no single elector), at the top.
    static constexpr int StoreLane = -1;

    /// `history` must outlive the view.
    explicit TimelineView(LeadershipHistory* history, QWidget* parent = nullptr);

    /// The right edge follows lab time (now).
    bool followLive() const { return m_follow; }
    double pixelsPerSecond() const { return m_pps; }
    /// The time window shown.
    LabTime visibleBegin() const;
    LabTime visibleEnd() const;
    /// Scrolls so the window ends at `end`; at or past now it follows live again.
    void scrollTo(LabTime end);

    /// Geometry, in widget coordinates (for tests and for tools placed over the view).
    QRect plotRect() const;
    /// The lane of `elector` (or StoreLane); empty when there is none or it is scrolled away.
    QRect laneRect(int elector) const;
    int xForTime(LabTime t) const;
    LabTime timeAt(int x) const;

    /// What the tooltip says at `pos` (empty: nothing there).
    QString toolTipAt(const QPoint& pos) const;

    /// The exported image's size: the visible time window, all lanes.
    QSize exportSize() const;
    /// Write the visible time window as PNG or SVG; false with `error` saying why not.
    bool exportPng(const QString& path, QString* error) const;
    bool exportSvg(const QString& path, QString* error) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void setFollowLive(bool follow);

Q_SIGNALS:
    void followLiveChanged(bool follow);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    /// Everything one paint (or hit test) needs, computed once.
    struct Frame {
        QRect canvas;
        QRect plot;
        LabTime t0{}, t1{}, now{};
        double pps = 1;
        int laneHeight = 1;
        int firstLaneY = 0;            ///< y of lane 0 (scrolled)
        QVector<int> lanes;            ///< StoreLane, then electors by id
        QVector<OverlapItem> overlaps; ///< those in view

        int x(LabTime t) const;
        LabTime time(double x) const;
        /// The i-th lane (of `lanes`), scrolled; shows(): any of it is in view.
        QRect lane(qsizetype i) const;
        bool shows(const QRect& lane) const;
    };

    Frame frame(const QRect& canvas, int scrolled) const;
    Frame widgetFrame() const;
    QRect canvasRect() const;
    // Painting (timeline_paint.cpp).
    void render(QPainter& p, const Frame& f) const;
    void paintLabels(QPainter& p, const Frame& f) const;
    void paintAxis(QPainter& p, const Frame& f) const;
    void paintStoreLane(QPainter& p, const Frame& f, const QRect& lane) const;
    void paintElectorLane(QPainter& p, const Frame& f, int elector, const QRect& lane) const;
    /// Shading (under the bars) or, with `labels`, the kinds' tags (over them).
    void paintFaults(QPainter& p, const Frame& f, int elector, const QRect& lane,
                     bool labels) const;
    void paintExtendTicks(QPainter& p, const Frame& f, int elector, const QRect& lane) const;
    /// Where the fault tags of a lane go, with their kinds: term and holder labels keep clear.
    QVector<QPair<QRect, QString>> faultTags(const Frame& f, int elector, const QRect& lane) const;
    /// `text` centred on `bar`, or just right of the tag it would run into, if there is room.
    static std::optional<QRect> labelPlace(const QRect& bar, int textWidth, int textHeight,
                                           const QVector<QPair<QRect, QString>>& tags);

    // Tooltips (timeline_tooltip.cpp).
    QString overlapText(const OverlapItem& o, LabTime now) const;
    QString storeToolTip(LabTime now, LabTime lo, LabTime hi) const;
    QString electorToolTip(LabTime now, int elector, LabTime t, LabTime lo, LabTime hi) const;

    int laneHeight() const;
    int axisHeight() const;
    int labelWidth() const;
    LabTime span() const;
    void onHistoryChanged();
    void syncScrollBars();
    void onHorizontalScroll(int value);
    void zoomBy(double factor, int anchorX);
    void scrollBy(double fractionOfWindow);

    LeadershipHistory* m_history;
    QScrollBar* m_hbar;
    QScrollBar* m_vbar;
    double m_pps = 40;
    bool m_follow = true;
    LabTime m_end{}; ///< the right edge while not following
    bool m_dragging = false;
    int m_dragX = 0;
    LabTime m_dragEnd{};
    bool m_syncing = false;
};

} // namespace baton::lab
