#include "windows/recent_files.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace baton::lab {

RecentFiles::RecentFiles(const QString& settingsKey, QMenu* menu, QObject* parent)
    : QObject(parent)
    , m_key(settingsKey)
    , m_menu(menu) {
    connect(m_menu, &QMenu::aboutToShow, this, &RecentFiles::fill);
    fill();
}

QStringList RecentFiles::files() const {
    QStringList files = QSettings().value(m_key).toStringList();
    files.removeAll(QString());
    return files.mid(0, kMost);
}

void RecentFiles::store(const QStringList& files) {
    // The menu refills when it next opens: now, one of its actions may be the caller.
    QSettings().setValue(m_key, files.mid(0, kMost));
}

void RecentFiles::add(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    store(list);
}

void RecentFiles::remove(const QString& path) {
    QStringList list = files();
    list.removeAll(path);
    store(list);
}

void RecentFiles::clear() {
    store({});
}

void RecentFiles::fill() {
    m_menu->clear();
    const QStringList list = files();
    for (int i = 0; i < list.size(); ++i) {
        const QString& path = list[i];
        // "&1 leader-crash.json": the number is the mnemonic, the folder is in the tooltip.
        QAction* a = m_menu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(
            QFileInfo(path).fileName().replace(u'&', QStringLiteral("&&"))));
        a->setToolTip(QDir::toNativeSeparators(path));
        a->setStatusTip(QDir::toNativeSeparators(path));
        connect(a, &QAction::triggered, this, [this, path] {
            if (QFileInfo::exists(path)) {
                Q_EMIT chosen(path);
            } else {
                remove(path);
                Q_EMIT missing(path);
            }
        });
    }
    if (list.isEmpty()) {
        m_menu->addAction(tr("No recent scenarios"))->setEnabled(false);
        return;
    }
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("&Clear list")), &QAction::triggered, this, &RecentFiles::clear);
}

} // namespace baton::lab
