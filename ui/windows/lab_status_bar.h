#pragma once
// The window's status bar: one message at a time, elided to the room left of the permanent
// labels (the full message in the tooltip), whoever shows it.

#include <QStatusBar>

namespace baton::lab {

class LabStatusBar : public QStatusBar {
public:
    using QStatusBar::QStatusBar;
    /// Where the current message is painted: left of the first permanent label, a gap apart.
    QRect messageRect() const;
    /// The current message as painted (elided when it does not fit).
    QString shownMessage() const;

protected:
    void paintEvent(QPaintEvent* event) override;
};

} // namespace baton::lab
