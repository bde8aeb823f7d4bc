#pragma once
// Where a Redis server is and how to log in: parsed from a URL.
//   redis://[user:password@]host[:port][/db]      (host may be [IPv6])
//   unix://[user:password@]/path/to.sock[?db=N]
//   redis-sentinel://[user:password@]host[:port][,host[:port]...]/MASTER[?db=N&sentinelUser=U&
//       sentinelPassword=P]   (sentinels, default port 26379; the primary is asked of them)
//   redis-cluster://[user:password@]host[:port][,host[:port]...]   (Cluster nodes to start
//       from, default port 6379; the slot map is asked of them)

#include <stdexcept>
#include <string>
#include <vector>

namespace baton {

/// A URL that cannot be used; the message names what is wrong and never holds the password.
class UrlError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// One server of a list (the sentinels of a redis-sentinel:// URL).
struct RedisHost {
    std::string host; ///< name or address (IPv6 without brackets)
    int port = 26379;
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

    /// redis-sentinel://: the sentinels to ask for the primary named `masterName` (host and port
    /// above are the first sentinel's); user, password and db are the primary's.
    bool sentinel = false;
    std::vector<RedisHost> sentinels;
    std::string masterName;
    std::string sentinelUser; ///< ACL user on the sentinels; empty: the default user
    std::string sentinelPassword;

    /// redis-cluster://: the nodes to read the slot map from (host and port above are the
    /// first's); user and password are every node's (a Cluster has db 0 only).
    bool cluster = false;
    std::vector<RedisHost> nodes;

    /// Throws UrlError naming the problem and the accepted forms.
    static RedisUrl parse(const std::string& text);

    /// The URL without its passwords (shown as ***): safe for logs, events and windows.
    std::string redacted() const;

    /// A direct redis:// URL for `host`:`port` with this URL's user, password and db (the
    /// primary a sentinel named).
    RedisUrl server(const std::string& host, int port) const;
    /// A redis:// URL for one sentinel, with the sentinel's user and password.
    RedisUrl sentinelServer(const RedisHost& sentinel) const;
};

/// `text` with any password in it (a sentinel's too) replaced by ***, whether or not it parses.
std::string redactUrl(const std::string& text);

} // namespace baton
