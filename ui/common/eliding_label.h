#pragma once
// A one-line label that elides its text to the room it gets (the full text in its tooltip), so a
// long status never pushes its neighbours out or gets cut mid-letter.

#include <QLabel>

namespace baton::lab {

class ElidingLabel : public QLabel {
public:
    using QLabel::QLabel;
    /// The text as painted at the current width.
    QString shownText() const;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
};

} // namespace baton::lab
