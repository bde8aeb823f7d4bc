#include "common/eliding_label.h"

#include <QPainter>

namespace baton::lab {

QString ElidingLabel::shownText() const {
    return fontMetrics().elidedText(text(), Qt::ElideRight, contentsRect().width());
}

QSize ElidingLabel::minimumSizeHint() const {
    // Room for a few letters and the ellipsis; the rest goes to the tooltip when short of room.
    return {fontMetrics().horizontalAdvance(QStringLiteral("Xxxxxx\u2026")),
            QLabel::minimumSizeHint().height()};
}

void ElidingLabel::paintEvent(QPaintEvent*) {
    const QString shown = shownText();
    // Escaped: a tooltip takes rich text, and the text may come from a server (an identity).
    const QString tip = shown == text() ? QString() : text().toHtmlEscaped();
    if (toolTip() != tip)
        setToolTip(tip);
    QPainter p(this);
    p.setPen(palette().color(foregroundRole()));
    p.drawText(contentsRect(), int(alignment()) | Qt::TextSingleLine, shown);
}

} // namespace baton::lab
