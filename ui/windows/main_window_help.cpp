// The window's Help menu (shortcuts, About, About Qt), File > Recent scenarios and the demo's
// "killed electors come back" option.

#include "windows/main_window.h"

#include "windows/recent_files.h"
#include "windows/shortcuts_dialog.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QGuiApplication>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>

namespace baton::lab {

namespace {

constexpr auto kProjectUrl = "https://github.com/baton/baton";

} // namespace

void MainWindow::createHelpActions() {
    connect(addAction(QStringLiteral("shortcuts"), tr("&Keyboard shortcuts"),
                      QKeySequence::HelpContents, tr("Every shortcut of the lab")),
            &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(addAction(QStringLiteral("about"), tr("&About Baton"), {},
                      tr("The lab's version, licence and home page")),
            &QAction::triggered, this, &MainWindow::showAbout);
    connect(addAction(QStringLiteral("aboutQt"), tr("About &Qt"), {}, tr("The Qt version in use")),
            &QAction::triggered, qApp, &QApplication::aboutQt);
    QAction* comeBack = addAction(
        QStringLiteral("crashComesBack"), tr("Killed electors &come back"), {},
        tr("A killed elector restarts after the fault length, so Kill leader can be pressed "
           "again and again"));
    comeBack->setCheckable(true);
    comeBack->setChecked(QSettings().value(QStringLiteral("faults/comeBack"), true).toBool());
    connect(comeBack, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("faults/comeBack"), on); });
}

Duration MainWindow::crashLength() const {
    return action(QStringLiteral("crashComesBack"))->isChecked() ? faultLength() : Duration{};
}

void MainWindow::createRecentMenu(QMenu* fileMenu) {
    auto* menu = new QMenu(tr("Recent sc&enarios"), fileMenu);
    menu->setObjectName(QStringLiteral("recentMenu"));
    menu->menuAction()->setObjectName(QStringLiteral("recentScenarios"));
    fileMenu->insertMenu(action(QStringLiteral("saveScenario")), menu);
    m_recent = new RecentFiles(QStringLiteral("recent/scenarios"), menu, this);
    connect(m_recent, &RecentFiles::chosen, this, &MainWindow::openRecent);
    connect(m_recent, &RecentFiles::missing, this, [this](const QString& path) {
        QMessageBox::information(
            this, tr("Recent scenarios"),
            tr("%1 is no longer there; it has left the list.").arg(QDir::toNativeSeparators(path)));
    });
}

void MainWindow::openRecent(const QString& path) {
    QString error;
    if (!openScenario(path, &error))
        QMessageBox::warning(this, tr("Open scenario"), error);
}

void MainWindow::showAbout() {
    const QString version = QCoreApplication::applicationVersion();
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("aboutBox"));
    box.setWindowTitle(tr("About Baton"));
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    box.setTextFormat(Qt::RichText);
    box.setText(
        tr("<h3>Baton lab %1</h3><p>Leader election you can see: electors on a lock with a "
           "TTL, the store's view in the middle, every handover on the timeline.</p>"
           "<p>Kill the leader (K), or select an elector and kill, stop, pause or partition "
           "it; Help &gt; Keyboard shortcuts lists every key.</p>"
           "<p>Free software under the MIT licence.<br><a href=\"%2\">%2</a></p>"
           "<p>Built with Qt %3, running on Qt %4.</p>")
            .arg(version.isEmpty() ? QStringLiteral("(development build)") : version,
                 QString::fromLatin1(kProjectUrl), QStringLiteral(QT_VERSION_STR),
                 QString::fromLatin1(qVersion())));
    box.setTextInteractionFlags(Qt::TextBrowserInteraction);
    box.exec();
}

void MainWindow::showShortcuts() {
    ShortcutsDialog dialog(shortcutRows(this, menuBar()), this);
    dialog.exec();
}

void MainWindow::fitToScreen() {
    QSize size(1360, 860);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() * 0.95);
    resize(size);
    // The docks below get two fifths of the height until the operator moves them (the saved
    // layout, if any, is restored after this).
    if (auto* timeline = findChild<QDockWidget*>(QStringLiteral("timelineDock")))
        resizeDocks({timeline}, {size.height() * 2 / 5}, Qt::Vertical);
}

} // namespace baton::lab
