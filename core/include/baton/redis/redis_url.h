#pragma once
// Where a Redis server is and how to log in: parsed from a URL.
//   redis://[user:password@]host[:port][/db]      (host may be [IPv6])
//   unix://[user:password@]/path/to.sock[?db=N]

#include <stdexcept>
#include <string>

namespace baton {

/// A URL that cannot be used; the message names what is wrong and never holds the password.
class UrlError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct RedisUrl {
    bool unixSocket = false;
    std::string host; ///< TCP: name or address (IPv6 without brackets)
    int port = 6379;
    std::string path; ///< unix socket path
    std::string user; ///< ACL user; empty: the default user
    std::string password;
    /// The URL had a name alone before '@' (redis://NAME@host): read as the password, though
    /// it may have been meant as a user name (login errors then say how to write either).
    bool bareCredential = false;
    int db = 0;

    /// Throws UrlError naming the problem and the accepted forms.
    static RedisUrl parse(const std::string& text);

    /// The URL without its password (shown as ***): safe for logs, events and windows.
    std::string redacted() const;
};

/// `text` with any password in it replaced by ***, whether or not it parses.
std::string redactUrl(const std::string& text);

} // namespace baton
