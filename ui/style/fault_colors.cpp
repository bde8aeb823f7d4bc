#include "style/fault_colors.h"

namespace baton::lab {

QColor faultColor(const QString& kind) {
    if (kind == u"crash")
        return QColor(0x7f, 0x7f, 0x7f);
    if (kind == u"stop")
        return QColor(0x8c, 0x6d, 0x31);
    if (kind == u"pause")
        return QColor(0xf0, 0x9a, 0x1a);
    if (kind == u"partition")
        return QColor(0x94, 0x67, 0xbd);
    if (kind == u"latency")
        return QColor(0x17, 0xbe, 0xcf);
    if (kind == u"timing")
        return QColor(0x2c, 0xa0, 0x2c);
    if (kind == u"drift")
        return QColor(0xe3, 0x77, 0xc2);
    return QColor(0x1f, 0x77, 0xb4);
}

QColor overlapColor() {
    return QColor(0xe0, 0x20, 0x20);
}

} // namespace baton::lab
