#include "resources/session_tabs.h"

#include "backend/lab_controller.h"

#include <baton/base/text.h>

#include <QSignalBlocker>

namespace baton::lab {

namespace {
constexpr char16_t kForeignMark = u'\x1f';
} // namespace

QString foreignSessionKey(const QString& lockKey) {
    return QChar(kForeignMark) + lockKey;
}

std::optional<QString> foreignLockOf(const QString& sessionKey) {
    if (!sessionKey.startsWith(QChar(kForeignMark)))
        return std::nullopt;
    return sessionKey.mid(1);
}

SessionTabs::SessionTabs(LabController& controller, QWidget* parent)
    : QTabBar(parent)
    , m_controller(controller) {
    setObjectName(QStringLiteral("sessionTabs"));
    setTabsClosable(true);
    setMovable(false);
    setExpanding(false);
    setDocumentMode(true);
    connect(&m_controller, &LabController::sessionsChanged, this, &SessionTabs::sync);
    connect(this, &QTabBar::currentChanged, this, [this](int i) {
        if (!m_syncing && i >= 0)
            m_controller.showSession(tabData(i).toString());
    });
    connect(this, &QTabBar::tabCloseRequested, this,
            [this](int i) { m_controller.closeSession(tabData(i).toString()); });
    sync();
}

QStringList SessionTabs::resources() const {
    QStringList out;
    for (int i = 0; i < count(); ++i)
        out << tabData(i).toString();
    return out;
}

void SessionTabs::sync() {
    m_syncing = true;
    const QStringList keys = m_controller.simulated() ? QStringList() : m_controller.sessions();
    while (count() > keys.size())
        removeTab(count() - 1);
    for (int i = 0; i < keys.size(); ++i) {
        if (i >= count())
            addTab(QString());
        // A name is somebody else's text: control characters escaped, '&' no mnemonic.
        const std::optional<QString> lock = foreignLockOf(keys[i]);
        const QString shown = qstr(visible(lock.value_or(keys[i]).toStdString(), 200));
        const QString label = lock ? tr("%1 (lock, read-only)").arg(shown) : shown;
        setTabText(i, fontMetrics()
                          .elidedText(label, Qt::ElideMiddle, 240)
                          .replace(u'&', QStringLiteral("&&")));
        setTabData(i, keys[i]);
        setTabToolTip(
            i,
            lock
                ? tr("Another library's lock %1, watched read-only (close the tab "
                     "to stop watching it)")
                      .arg(shown.toHtmlEscaped())
                : tr("Resource %1 (close the tab to stop watching it)").arg(shown.toHtmlEscaped()));
    }
    const int current = int(keys.indexOf(m_controller.currentSession()));
    if (current >= 0)
        setCurrentIndex(current);
    setVisible(!keys.isEmpty());
    m_syncing = false;
}

} // namespace baton::lab
