// Exporting the timeline: the visible time window, all lanes, as PNG or SVG.
#include "timeline/timeline_view.h"

#include "timeline/timeline_units.h"

#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace baton::lab {

QSize TimelineView::exportSize() const {
    const auto lanes = 1 + m_history->electors().size();
    return {canvasRect().width(), axisHeight() + static_cast<int>(lanes) * laneHeight()};
}

bool TimelineView::exportPng(const QString& path, QString* error) const {
    if (path.isEmpty()) {
        if (error)
            *error = tr("No file name given for the timeline image; choose a file ending in .png.");
        return false;
    }
    const QSize size = exportSize();
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    {
        QPainter p(&image);
        p.setRenderHint(QPainter::TextAntialiasing);
        render(p, frame(QRect(QPoint(0, 0), size), 0));
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    return true;
}

bool TimelineView::exportSvg(const QString& path, QString* error) const {
    if (path.isEmpty()) {
        if (error)
            *error =
                tr("No file name given for the timeline drawing; choose a file ending in .svg.");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    const QSize size = exportSize();
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(tr("Baton leadership timeline"));
    svg.setDescription(
        tr("Lab time %1 to %2").arg(secondsText(visibleBegin()), secondsText(visibleEnd())));
    {
        QPainter p(&svg);
        render(p, frame(QRect(QPoint(0, 0), size), 0));
    }
    if (!file.commit()) {
        if (error)
            *error = tr("Could not write the timeline to %1: %2. Choose a folder you can write to.")
                         .arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace baton::lab
