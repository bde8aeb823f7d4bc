#pragma once
// Asks where the Redis is: a URL (preset from REDIS_URL or the last one used) and, apart, a
// masked password, so that the password is never shown, stored or logged.

#include <QDialog>

class QLineEdit;
class QLabel;
class QDialogButtonBox;
class QSpinBox;

namespace baton::lab {

class RedisConnectDialog : public QDialog {
    Q_OBJECT
public:
    /// `url` may hold a password: it moves to the masked field.
    explicit RedisConnectDialog(const QString& url, QWidget* parent = nullptr);

    /// The URL to connect to, password included (never display this).
    QString url() const;
    /// The URL as it may be shown and stored: without its password.
    QString shownUrl() const;
    /// How many baton-agent processes to start on connecting.
    int agents() const;
    /// Splits a password out of `url`: returns the URL without it.
    static QString withoutPassword(const QString& url, QString* password = nullptr);

private:
    void check();

    QLineEdit* m_url;
    QLineEdit* m_password;
    QSpinBox* m_agents;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};

} // namespace baton::lab
