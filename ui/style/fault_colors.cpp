#include "style/fault_colors.h"

namespace baton::lab {

QColor faultColor(const QString& kind) {
    struct Shade {
        const char16_t* kind;
        QRgb rgb;
    };
    static constexpr Shade shades[] = {
        {u"crash", 0x7f7f7f},     {u"stop", 0x8c6d31},    {u"pause", 0xf09a1a},
        {u"partition", 0x9467bd}, {u"latency", 0x17becf}, {u"timing", 0x2ca02c},
        {u"drift", 0xe377c2},
    };
    for (const Shade& s : shades)
        if (kind == QStringView(s.kind))
            return QColor::fromRgb(s.rgb);
    return QColor::fromRgb(0x1f77b4); // "other", and kinds without a colour of their own
}

QColor overlapColor() {
    return QColor(0xe0, 0x20, 0x20);
}

} // namespace baton::lab
