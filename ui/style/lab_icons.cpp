#include "style/lab_icons.h"

#include <QAction>
#include <QFile>
#include <QHash>
#include <QWidget>

namespace baton::lab {

QIcon labIcon(const QString& themeName) {
    const QString bundled = QStringLiteral(":/icons/") + themeName + QStringLiteral(".svg");
    const QIcon fallback = QFile::exists(bundled) ? QIcon(bundled) : QIcon();
    return QIcon::fromTheme(themeName, fallback);
}

QString iconNameForAction(const QString& actionName) {
    // Names that begin with "baton-" exist only in the bundle: the lab's own verbs.
    static const QHash<QString, QString> names{
        {QStringLiteral("killLeader"), QStringLiteral("baton-kill-leader")},
        {QStringLiteral("killElector"), QStringLiteral("process-stop")},
        {QStringLiteral("stopElector"), QStringLiteral("media-playback-stop")},
        {QStringLiteral("startElector"), QStringLiteral("media-playback-start")},
        {QStringLiteral("pauseElector"), QStringLiteral("baton-pause-elector")},
        {QStringLiteral("partitionElector"), QStringLiteral("network-offline")},
        {QStringLiteral("latencyElector"), QStringLiteral("baton-latency")},
        {QStringLiteral("driftElector"), QStringLiteral("baton-drift")},
        {QStringLiteral("removeElector"), QStringLiteral("list-remove")},
        {QStringLiteral("crashComesBack"), QStringLiteral("baton-come-back")},
        {QStringLiteral("pauseTime"), QStringLiteral("media-playback-pause")},
        {QStringLiteral("stepTime"), QStringLiteral("media-skip-forward")},
        {QStringLiteral("faster"), QStringLiteral("media-seek-forward")},
        {QStringLiteral("slower"), QStringLiteral("media-seek-backward")},
        {QStringLiteral("realTime"), QStringLiteral("zoom-original")},
        {QStringLiteral("newSimulation"), QStringLiteral("document-new")},
        {QStringLiteral("openScenario"), QStringLiteral("document-open")},
        {QStringLiteral("saveScenario"), QStringLiteral("document-save-as")},
        {QStringLiteral("exportEvents"), QStringLiteral("document-export")},
        {QStringLiteral("exportTimeline"), QStringLiteral("image-x-generic")},
        {QStringLiteral("quit"), QStringLiteral("application-exit")},
        {QStringLiteral("connectRedis"), QStringLiteral("network-connect")},
        {QStringLiteral("startLocalRedis"), QStringLiteral("network-server")},
        {QStringLiteral("addThread"), QStringLiteral("list-add")},
        {QStringLiteral("addAgent"), QStringLiteral("list-add")},
        {QStringLiteral("about"), QStringLiteral("help-about")},
        {QStringLiteral("shortcuts"), QStringLiteral("help-keyboard-shortcuts")},
        {QStringLiteral("hideRoutine"), QStringLiteral("baton-hide-routine")},
    };
    return names.value(actionName);
}

void applyActionIcons(QWidget* root) {
    for (QAction* a : root->findChildren<QAction*>()) {
        if (!a->icon().isNull())
            continue;
        if (const QString name = iconNameForAction(a->objectName()); !name.isEmpty())
            a->setIcon(labIcon(name));
    }
}

QIcon applicationIcon() {
    return QIcon(QStringLiteral(":/desktop/io.github.baton.Baton.svg"));
}

} // namespace baton::lab
