#include "style/lab_colors.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QPalette>

#include <array>

namespace baton::lab {

namespace {

// Pairs picked for contrast against white and against a ~#202020 base: the light-palette shade is
// dark enough for text on white, the dark-palette shade light enough for text on near-black.
QColor pick(bool dark, QRgb onLight, QRgb onDark) {
    return QColor::fromRgb(dark ? onDark : onLight);
}

} // namespace

bool isDarkPalette(const QPalette& palette) {
    return palette.color(QPalette::Base).lightness() < palette.color(QPalette::Text).lightness();
}

bool darkPaletteInUse() {
    // Models can live in a QCoreApplication (headless tests); QGuiApplication::palette() needs
    // a GUI application.
    if (qobject_cast<QGuiApplication*>(QCoreApplication::instance()) == nullptr)
        return false;
    return isDarkPalette(QGuiApplication::palette());
}

QColor stateColor(ElectorState state, bool dark) {
    // In ElectorState's order: {on a light palette, on a dark one}.
    constexpr std::array<std::array<QRgb, 2>, 6> shades = {{
        {0x2f5f9e, 0x7aa7e0}, // follower
        {0x1e7b34, 0x5fd17a}, // leader
        {0x9a6a00, 0xe8b84a}, // paused
        {0x7a3fa0, 0xc08ae6}, // partitioned
        {0xb3261e, 0xff7b72}, // crashed
        {0x6b6b6b, 0xa8a8a8}, // stopped
    }};
    static_assert(shades.size() == std::size_t(ElectorState::Stopped) + 1);
    const auto i = static_cast<std::size_t>(state);
    return i < shades.size() ? pick(dark, shades[i][0], shades[i][1]) : QColor();
}

QColor errorColor(bool dark) {
    return pick(dark, 0xb3261e, 0xff7b72);
}

QColor eventColor(const LabEvent& event, bool dark) {
    switch (event.source) {
    case LabEvent::Source::Elector:
        if (event.name == u"elected")
            return pick(dark, 0x1e7b34, 0x5fd17a);
        if (event.name == u"revoked" || event.name == u"extend-failed")
            return pick(dark, 0xa85400, 0xf0a050);
        if (event.name == u"error")
            return errorColor(dark);
        return {};
    case LabEvent::Source::Fault:
        return pick(dark, 0x7a3fa0, 0xc08ae6);
    case LabEvent::Source::Store:
        return {};
    case LabEvent::Source::Lab:
        if (event.name == u"error")
            return errorColor(dark);
        return {};
    }
    return {};
}

} // namespace baton::lab
