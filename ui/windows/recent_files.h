#pragma once
// File > Recent scenarios: the last files played, newest first, kept in QSettings, shown as a
// menu that rebuilds itself each time it opens.

#include <QObject>
#include <QStringList>

class QMenu;

namespace baton::lab {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMost = 8;

    /// Keeps the list under `settingsKey` ("recent/scenarios") and fills `menu` from it.
    RecentFiles(const QString& settingsKey, QMenu* menu, QObject* parent = nullptr);

    /// Newest first, at most kMost, as absolute paths.
    QStringList files() const;
    /// Puts `path` first (once).
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

Q_SIGNALS:
    /// The operator chose `path`, and it still exists.
    void chosen(const QString& path);
    /// The operator chose `path`, and it is gone: it has left the list.
    void missing(const QString& path);

private:
    void fill();
    void store(const QStringList& files);

    QString m_key;
    QMenu* m_menu;
};

} // namespace baton::lab
