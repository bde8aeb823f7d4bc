#include "windows/redis_connect_dialog.h"

#include "backend/lab_types.h"

#include <baton/redis/redis_url.h>

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>

namespace baton::lab {

namespace {

QString encoded(const QString& s) {
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// "scheme://" + credentials + the rest of `address` (which has none).
QString withCredentials(const QString& address, const QString& user, const QString& password) {
    if (user.isEmpty() && password.isEmpty())
        return address;
    const qsizetype scheme = address.indexOf(u"://");
    if (scheme < 0)
        return address;
    const QString credentials = encoded(user) + u':' + encoded(password) + u'@';
    return address.left(scheme + 3) + credentials + address.mid(scheme + 3);
}

} // namespace

QString RedisConnectDialog::withoutPassword(const QString& url, QString* password, QString* user,
                                            QString* sentinelUser, QString* sentinelPassword) {
    RedisUrl parsed;
    try {
        parsed = RedisUrl::parse(url.toStdString());
    } catch (const UrlError&) {
        return qstr(redactUrl(url.toStdString()));
    }
    if (password)
        *password = qstr(parsed.password);
    if (user)
        *user = qstr(parsed.user);
    if (sentinelUser)
        *sentinelUser = qstr(parsed.sentinelUser);
    if (sentinelPassword)
        *sentinelPassword = qstr(parsed.sentinelPassword);
    QString address;
    if (parsed.sentinel || parsed.cluster) {
        // The sentinels' login is in the query: it is taken out (the address is saved). A
        // Cluster's node list is kept whole.
        RedisUrl bare = parsed;
        bare.user.clear();
        bare.password.clear();
        bare.sentinelPassword.clear();
        bare.sentinelUser.clear();
        address = qstr(bare.redacted());
    } else if (parsed.unixSocket) {
        address = u"unix://"_qs + qstr(parsed.path);
        if (parsed.db != 0)
            address += u"?db="_qs + QString::number(parsed.db);
    } else {
        const QString host = qstr(parsed.host);
        address = u"redis://"_qs + (host.contains(u':') ? u'[' + host + u']' : host) + u':' +
                  QString::number(parsed.port);
        if (parsed.db != 0)
            address += u'/' + QString::number(parsed.db);
    }
    return address;
}

RedisConnectDialog::RedisConnectDialog(const QString& url, QWidget* parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_agents(new QSpinBox(this))
    , m_resource(new QLineEdit(this))
    , m_watch(new QCheckBox(tr("Watch only (read-only: start nothing, write nothing)"), this))
    , m_lockPatterns(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("Connect to Redis"));
    QString password, user;
    m_url->setText(withoutPassword(url, &password, &user, &m_sentinelUser, &m_sentinelPassword));
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("redis://host:6379/0 or unix:///path/to/redis.sock"));
    m_url->setMinimumWidth(360);
    m_user->setText(user);
    m_user->setObjectName(QStringLiteral("user"));
    m_user->setPlaceholderText(tr("default"));
    m_password->setText(password);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("none"));
    m_agents->setObjectName(QStringLiteral("agents"));
    m_agents->setRange(0, 50);
    m_agents->setValue(3);
    m_agents->setToolTip(tr("baton-agent processes to start (0: only watch the electors that "
                            "are already there)"));
    m_resource->setObjectName(QStringLiteral("resource"));
    m_resource->setPlaceholderText(tr("all: the Resources list (the lab's agents: job-scheduler)"));
    m_resource->setToolTip(tr("The resource to open in the cluster view; more can be opened "
                              "from the Resources list"));
    m_watch->setObjectName(QStringLiteral("watch"));
    m_watch->setToolTip(tr("For a production Redis or a read-only ACL user: no agents are "
                           "started and the lab sends nothing (no presence, no control, no "
                           "lock calls)"));
    connect(m_watch, &QCheckBox::toggled, m_agents, [this](bool on) {
        m_agents->setEnabled(!on);
        m_agents->setToolTip(on ? tr("A read-only watch starts no agents")
                                : tr("baton-agent processes to start (0: only watch the "
                                     "electors that are already there)"));
    });
    m_lockPatterns->setObjectName(QStringLiteral("lockPatterns"));
    m_lockPatterns->setPlaceholderText(tr("none; e.g. leader:*, *:lock"));
    m_lockPatterns->setToolTip(tr("Key patterns (SCAN MATCH syntax, comma-separated) of other "
                                  "libraries' locks to list and watch read-only"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d32f2f"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("URL:"), m_url);
    form->addRow(tr("User:"), m_user);
    form->addRow(tr("Password:"), m_password);
    form->addRow(tr("Resource:"), m_resource);
    form->addRow(tr("Lock patterns:"), m_lockPatterns);
    form->addRow(QString(), m_watch);
    form->addRow(tr("Start agents:"), m_agents);
    form->addRow(m_error);
    form->addRow(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit* edit : {m_url, m_user, m_password})
        connect(edit, &QLineEdit::textChanged, this, &RedisConnectDialog::check);
    check();
}

QString RedisConnectDialog::url() const {
    QString out = withCredentials(m_url->text().trimmed(), m_user->text(), m_password->text());
    // The given URL's sentinel login, unless the URL field now names one of its own.
    if (m_sentinelPassword.isEmpty() || !out.startsWith(u"redis-sentinel://") ||
        out.contains(u"sentinelPassword=", Qt::CaseInsensitive))
        return out;
    out += out.contains(u'?') ? u'&' : u'?';
    if (!m_sentinelUser.isEmpty() && !out.contains(u"sentinelUser="))
        out += u"sentinelUser="_qs + encoded(m_sentinelUser) + u'&';
    return out + u"sentinelPassword="_qs + encoded(m_sentinelPassword); // last: see the parser
}

QString RedisConnectDialog::shownUrl() const {
    return qstr(redactUrl(url().toStdString()));
}

QString RedisConnectDialog::address() const {
    return withoutPassword(url());
}

QString RedisConnectDialog::user() const {
    return m_user->text();
}

void RedisConnectDialog::setUser(const QString& user) {
    m_user->setText(user);
}

int RedisConnectDialog::agents() const {
    return watch() ? 0 : m_agents->value();
}

QString RedisConnectDialog::resource() const {
    return m_resource->text().trimmed();
}

void RedisConnectDialog::setResource(const QString& resource) {
    m_resource->setText(resource);
}

bool RedisConnectDialog::watch() const {
    return m_watch->isChecked();
}

void RedisConnectDialog::setWatch(bool watch) {
    m_watch->setChecked(watch);
}

QStringList RedisConnectDialog::lockPatterns() const {
    QStringList patterns;
    for (const QString& p : m_lockPatterns->text().split(u','))
        if (!p.trimmed().isEmpty())
            patterns << p.trimmed();
    return patterns;
}

void RedisConnectDialog::setLockPatterns(const QStringList& patterns) {
    m_lockPatterns->setText(patterns.join(QStringLiteral(", ")));
}

void RedisConnectDialog::check() {
    QString problem;
    if (m_url->text().contains(u'@'))
        problem = tr("Put the user and the password in their own fields, not in the URL");
    else if (!m_user->text().isEmpty() && m_password->text().isEmpty())
        problem = tr("User '%1' needs a password").arg(m_user->text());
    else {
        try {
            RedisUrl::parse(url().toStdString());
        } catch (const UrlError& e) {
            problem = QString::fromStdString(e.what()); // never holds the password
        }
    }
    m_error->setText(problem);
    m_error->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace baton::lab
