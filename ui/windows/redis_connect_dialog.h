#pragma once
// Asks where the Redis is: a URL without credentials (preset from REDIS_URL or the last one
// used), an ACL user and, apart, a masked password, so that the password is never shown,
// stored or logged.

#include <QDialog>
#include <QStringList>

class QLineEdit;
class QLabel;
class QDialogButtonBox;
class QSpinBox;
class QCheckBox;

namespace baton::lab {

class RedisConnectDialog : public QDialog {
    Q_OBJECT
public:
    /// `url` may hold credentials: the user and the password move to their own fields.
    explicit RedisConnectDialog(const QString& url, QWidget* parent = nullptr);

    /// The URL to connect to, credentials included and percent-encoded (never display this).
    QString url() const;
    /// The URL as it may be shown: its password redacted.
    QString shownUrl() const;
    /// The URL without any credentials and the user, to remember (QSettings).
    QString address() const;
    QString user() const;
    void setUser(const QString& user);
    /// How many baton-agent processes to start on connecting (none in a watch).
    int agents() const;
    /// The resource to open (empty: the list only, or the lab's agents' own).
    QString resource() const;
    void setResource(const QString& resource);
    /// A read-only watch: no agents, nothing written to Redis.
    bool watch() const;
    void setWatch(bool watch);
    /// Key patterns of other libraries' locks to list (baton --lock-pattern), comma-separated.
    QStringList lockPatterns() const;
    void setLockPatterns(const QStringList& patterns);

    /// Splits `url` into the URL without credentials, its user and its password (as the
    /// core's parser reads them: "redis://secret@host" is a password alone). A URL that does
    /// not parse comes back redacted, with no user or password. A redis-sentinel:// URL's
    /// sentinel login is taken out too, into `sentinelUser` and `sentinelPassword`.
    static QString withoutPassword(const QString& url, QString* password = nullptr,
                                   QString* user = nullptr, QString* sentinelUser = nullptr,
                                   QString* sentinelPassword = nullptr);

private:
    void check();

    QLineEdit* m_url;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QSpinBox* m_agents;
    QLineEdit* m_resource;
    QCheckBox* m_watch;
    QLineEdit* m_lockPatterns;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
    /// The given URL's sentinel login: not shown in the URL field, given back by url().
    QString m_sentinelUser;
    QString m_sentinelPassword;
};

} // namespace baton::lab
