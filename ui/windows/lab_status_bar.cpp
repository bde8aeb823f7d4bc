#include "windows/lab_status_bar.h"

#include <QPainter>

namespace baton::lab {

QRect LabStatusBar::messageRect() const {
    int right = width() - 4;
    for (const QWidget* w : findChildren<QWidget*>(Qt::FindDirectChildrenOnly))
        if (w->isVisible() && w->x() > 0)
            right = std::min(right, w->x() - 12);
    return {6, 0, std::max(0, right - 6), height()};
}

QString LabStatusBar::shownMessage() const {
    return fontMetrics().elidedText(currentMessage(), Qt::ElideRight, messageRect().width());
}

void LabStatusBar::paintEvent(QPaintEvent* event) {
    const QString message = currentMessage();
    if (message.isEmpty()) {
        if (!toolTip().isEmpty())
            setToolTip({});
        QStatusBar::paintEvent(event);
        return;
    }
    const QString shown = shownMessage();
    const QString tip = shown == message ? QString() : message;
    if (toolTip() != tip)
        setToolTip(tip);
    QPainter p(this);
    p.setPen(palette().color(foregroundRole()));
    p.drawText(messageRect(), Qt::AlignLeading | Qt::AlignVCenter | Qt::TextSingleLine, shown);
}

} // namespace baton::lab
