#include "redis_connect_dialog.h"

#include <baton/redis_url.h>

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace baton::lab {

namespace {

// Where the credentials of a URL sit: after "//", up to the last '@' (passwords may hold '@').
bool credentials(const QString& url, qsizetype* begin, qsizetype* at) {
    const qsizetype scheme = url.indexOf(u"://");
    if (scheme < 0)
        return false;
    *begin = scheme + 3;
    const qsizetype slash = url.indexOf(u'/', *begin);
    const qsizetype end = slash < 0 ? url.size() : slash;
    *at = url.lastIndexOf(u'@', end - 1);
    return *at >= *begin;
}

} // namespace

QString RedisConnectDialog::withoutPassword(const QString& url, QString* password) {
    qsizetype begin = 0, at = 0;
    if (!credentials(url, &begin, &at))
        return url;
    const QString cred = url.mid(begin, at - begin);
    const qsizetype colon = cred.indexOf(u':');
    if (colon < 0) // a password alone ("redis://secret@host") is Redis' default-user form
        return url;
    if (password)
        *password = cred.mid(colon + 1);
    const QString user = cred.left(colon);
    return url.left(begin) + (user.isEmpty() ? QString() : user + u'@') + url.mid(at + 1);
}

RedisConnectDialog::RedisConnectDialog(const QString& url, QWidget* parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_agents(new QSpinBox(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("Connect to Redis"));
    QString password;
    m_url->setText(withoutPassword(url, &password));
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("redis://[user@]host:6379/0 or unix:///path.sock"));
    m_url->setMinimumWidth(360);
    m_password->setText(password);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("none"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d32f2f"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("URL:"), m_url);
    form->addRow(tr("Password:"), m_password);
    m_agents->setObjectName(QStringLiteral("agents"));
    m_agents->setRange(0, 50);
    m_agents->setValue(3);
    m_agents->setToolTip(tr("baton-agent processes to start (0: only watch the electors that "
                            "are already there)"));
    form->addRow(tr("Start agents:"), m_agents);
    form->addRow(m_error);
    form->addRow(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &RedisConnectDialog::check);
    connect(m_password, &QLineEdit::textChanged, this, &RedisConnectDialog::check);
    check();
}

QString RedisConnectDialog::url() const {
    const QString base = m_url->text().trimmed();
    const QString password = m_password->text();
    if (password.isEmpty())
        return base;
    qsizetype begin = 0, at = 0;
    const qsizetype scheme = base.indexOf(u"://");
    if (scheme < 0)
        return base;
    if (credentials(base, &begin, &at)) // "redis://user@host": the user stays
        return base.left(at) + u':' + password + base.mid(at);
    return base.left(scheme + 3) + u':' + password + u'@' + base.mid(scheme + 3);
}

int RedisConnectDialog::agents() const {
    return m_agents->value();
}

QString RedisConnectDialog::shownUrl() const {
    return withoutPassword(m_url->text().trimmed());
}

void RedisConnectDialog::check() {
    QString problem;
    try {
        RedisUrl::parse(url().toStdString());
    } catch (const UrlError& e) {
        problem = QString::fromStdString(e.what()); // never holds the password
    }
    m_error->setText(problem);
    m_error->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace baton::lab
