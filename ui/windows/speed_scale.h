#pragma once
// The window's speed slider is logarithmic: 0 is 0.1x, 100 is 1x, 300 is 100x.

#include <QString>

#include <cmath>

namespace baton::lab {

inline int sliderFromSpeed(double speed) {
    return static_cast<int>(std::lround(100 * (std::log10(speed) + 1)));
}

inline double speedFromSlider(int value) {
    return std::pow(10.0, value / 100.0 - 1);
}

/// "0.25x", "1.5x", "20x".
inline QString speedText(double speed) {
    const int decimals = speed >= 10 ? 0 : speed >= 1 ? 1 : 2;
    return QString::number(speed, 'f', decimals) + u'x';
}

} // namespace baton::lab
