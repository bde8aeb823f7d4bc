#include "baton/redis/redis_url.h"

#include <algorithm>
#include <cctype>

namespace baton {

namespace {

constexpr std::size_t kMaxUrl = 4096;
constexpr std::size_t kMaxHost = 253;
constexpr int kSentinelPort = 26379;
constexpr const char* kForms = "use redis://[user:password@]host[:port][/db], unix:///path/to.sock"
                               "[?db=N] or redis-sentinel://host[:port][,host...]/MASTER";

[[noreturn]] void fail(const std::string& text, const std::string& why) {
    // Text with neither a scheme nor an '@' may be a password given where the URL belongs
    // (--redis S3CRET): none of it is shown.
    if (text.find("://") == std::string::npos && text.find('@') == std::string::npos)
        throw UrlError("bad Redis URL (not shown, in case it is a password): " + why + " (" +
                       kForms + ")");
    std::string shown = redactUrl(text);
    if (shown.size() > 80)
        shown = shown.substr(0, 77) + "...";
    throw UrlError("bad Redis URL '" + shown + "': " + why + " (" + kForms + ")");
}

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecode(const std::string& text, const std::string& s, const char* what) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size() + 0 || hexValue(s[i + 1]) < 0 || hexValue(s[i + 2]) < 0)
            fail(text, std::string("bad %-escape in the ") + what + " (write % as %25)");
        out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
        i += 2;
    }
    return out;
}

int parseNumber(const std::string& text, const std::string& digits, const char* what, long min,
                long max) {
    if (digits.empty())
        fail(text, std::string("the ") + what + " is empty");
    for (char c : digits)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            fail(text, std::string("the ") + what + " '" + digits + "' is not a number");
    // Leading zeros are accepted (06379 is 6379); only the significant digits count.
    const std::string significant =
        digits.substr(std::min(digits.find_first_not_of('0'), digits.size() - 1));
    if (significant.size() > 10 || std::stol(significant) < min || std::stol(significant) > max)
        fail(text, std::string("the ") + what + " " + digits + " is out of range " +
                       std::to_string(min) + "-" + std::to_string(max));
    return static_cast<int>(std::stol(significant));
}

// Where the credentials end: the '@' before the host (the last '@' of a redis:// URL; the
// last "@/" of a unix:// one), or npos. Anything before it may be secret, whatever it holds.
std::size_t credentialsEnd(const std::string& text, std::size_t start, bool unixScheme) {
    const auto at = unixScheme ? text.rfind("@/") : text.rfind('@');
    return at == std::string::npos || at < start ? std::string::npos : at;
}

// Fills user and password from "user:password" (or a bare "password").
void takeCredentials(const std::string& text, const std::string& info, RedisUrl& url) {
    const auto colon = info.find(':');
    if (colon == std::string::npos) {
        // "redis://secret@host" is how many tools write a bare password. It may also be a user
        // name without its password: login errors say both (bareCredential).
        url.password = percentDecode(text, info, "password");
        url.bareCredential = true;
    } else {
        url.user = percentDecode(text, info.substr(0, colon), "user name");
        url.password = percentDecode(text, info.substr(colon + 1), "password");
    }
    if (!url.user.empty() && url.password.empty())
        fail(text, "user '" + url.user + "' has no password");
}

} // namespace

namespace {

// Where a sentinel's password starts in `text` ("sentinelPassword=", in any case), or npos.
std::size_t sentinelSecret(const std::string& text) {
    std::string lower = text;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("sentinelpassword=");
}

std::string redactCredentials(const std::string& text);

} // namespace

std::string redactUrl(const std::string& text) {
    // A sentinel's password is in the query: everything after its '=' is hidden (a raw '&' or
    // '@' in it would otherwise show its tail, or be taken for the end of the credentials).
    if (const auto secret = sentinelSecret(text); secret != std::string::npos)
        return redactCredentials(text.substr(0, secret)) + text.substr(secret, 17) + "***";
    return redactCredentials(text);
}

namespace {

std::string redactCredentials(const std::string& text) {
    const auto scheme = text.find("://");
    if (scheme == std::string::npos) {
        // Not a URL at all ("alice:secret@db:6379", "redis:/x:pw@h"): whatever precedes the
        // last '@' may be credentials, so none of it is shown.
        const auto at = text.rfind('@');
        return at == std::string::npos ? text : "***" + text.substr(at);
    }
    const auto start = scheme + 3;
    const auto at = credentialsEnd(text, start, text.compare(0, scheme, "unix") == 0);
    if (at == std::string::npos)
        return text;
    const std::string info = text.substr(start, at - start);
    const auto colon = info.find(':');
    const std::string user = colon == std::string::npos ? std::string() : info.substr(0, colon);
    return text.substr(0, start) + user + ":***" + text.substr(at);
}

// unix://[user:password@]/path/to.sock[?db=N], after the scheme.
void parseUnix(const std::string& text, std::string rest, RedisUrl& url) {
    url.unixSocket = true;
    const auto at = credentialsEnd(rest, 0, true);
    if (at != std::string::npos) {
        takeCredentials(text, rest.substr(0, at), url);
        rest = rest.substr(at + 1);
    }
    const auto slash = rest.find('/');
    if (slash == std::string::npos)
        fail(text, "no socket path");
    if (slash > 0)
        fail(text, "unexpected '" + rest.substr(0, slash) + "' before the socket path");
    rest = rest.substr(slash);
    const auto query = rest.find('?');
    url.path = rest.substr(0, query);
    if (url.path.size() < 2 || url.path.back() == '/')
        fail(text, "no socket path");
    if (query != std::string::npos) {
        // Only the option's name is ever echoed: a value may be a secret written in the wrong
        // place (a sentinelPassword= on a unix socket URL), and so may whatever follows a '&'.
        const std::string q = rest.substr(query + 1);
        const std::string name = q.substr(0, q.find_first_of("=&"));
        if (name != "db" || q.size() == 2 || q[2] != '=')
            fail(text, "unknown query '" + name + "' (only db=N is understood)");
        const std::string value = q.substr(3);
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
            fail(text, "the db in the query is not a number (only db=N is understood)");
        url.db = parseNumber(text, value, "db", 0, 2147483647);
    }
}

// "[v6]:port" or "[v6]": the host into `url`, the port's text returned.
std::string parseIpv6(const std::string& text, const std::string& authority, RedisUrl& url) {
    std::string portPart;
    const auto close = authority.find(']');
    if (close == std::string::npos)
        fail(text, "unclosed '[' in the IPv6 host");
    url.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
        if (after.front() != ':')
            fail(text, "unexpected '" + after + "' after the host");
        portPart = after.substr(1);
        if (portPart.empty())
            fail(text, "the port is empty");
    }
    if (url.host.empty() ||
        url.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
        fail(text, "'" + url.host + "' is not an IPv6 address");
    return portPart;
}

// "host[:port]" or "[v6][:port]" into `url`.
void parseAuthority(const std::string& text, const std::string& authority, RedisUrl& url) {
    if (authority.empty())
        fail(text, "no host");
    std::string portPart;
    if (authority.front() == '[') {
        portPart = parseIpv6(text, authority, url);
    } else {
        const auto colon = authority.find(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string::npos) {
            portPart = authority.substr(colon + 1);
            if (portPart.empty())
                fail(text, "the port is empty");
        }
        if (url.host.empty())
            fail(text, "no host");
        for (unsigned char c : url.host)
            if (!std::isalnum(c) && c != '.' && c != '-' && c != '_')
                fail(text, "the host contains '" + std::string(1, static_cast<char>(c)) + "'");
    }
    if (url.host.size() > kMaxHost)
        fail(text, "the host name is longer than " + std::to_string(kMaxHost) + " characters");
    if (!portPart.empty())
        url.port = parseNumber(text, portPart, "port", 1, 65535);
}

// The query of a redis-sentinel:// URL: db=N, sentinelUser=NAME, sentinelPassword=PASSWORD.
void parseSentinelQuery(const std::string& text, const std::string& query, RedisUrl& url) {
    bool secretSeen = false;
    for (std::size_t start = 0; start <= query.size();) {
        const auto amp = query.find('&', start);
        const std::string piece = query.substr(start, amp - start);
        start = amp == std::string::npos ? query.size() + 1 : amp + 1;
        if (piece.empty())
            continue;
        const auto eq = piece.find('=');
        const std::string name = piece.substr(0, eq);
        const std::string value = eq == std::string::npos ? std::string() : piece.substr(eq + 1);
        if (name == "db" && eq != std::string::npos) {
            // Not echoed: without an '&' before it, a sentinel password would be part of it.
            if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
                fail(text, "the db in the query is not a number (db=N; separate options with "
                           "'&')");
            url.db = parseNumber(text, value, "db", 0, 2147483647);
        } else if (name == "sentinelPassword" && eq != std::string::npos) {
            url.sentinelPassword = percentDecode(text, value, "sentinel password");
            secretSeen = true;
        } else if (name == "sentinelUser" && eq != std::string::npos) {
            url.sentinelUser = percentDecode(text, value, "sentinel user");
        } else if (secretSeen) {
            // It may be the tail of a password with a raw '&' in it: not shown.
            fail(text, "an unknown option after sentinelPassword (write '&' in a password as "
                       "%26; understood: db=N, sentinelUser=NAME, sentinelPassword=PASSWORD)");
        } else {
            fail(text, "unknown option '" + name +
                           "' (understood: db=N, sentinelUser=NAME, sentinelPassword=PASSWORD)");
        }
    }
    if (!url.sentinelUser.empty() && url.sentinelPassword.empty())
        fail(text, "sentinelUser is given without sentinelPassword");
}

// redis-sentinel://[user:password@]host[:port][,host[:port]...]/MASTER[?query], after the
// scheme.
void parseSentinel(const std::string& text, std::string rest, RedisUrl& url) {
    url.sentinel = true;
    // The last '@' before the query's sentinel password ends the primary's credentials.
    const auto secret = sentinelSecret(rest);
    const auto at = credentialsEnd(rest.substr(0, secret), 0, false);
    if (at != std::string::npos) {
        takeCredentials(text, rest.substr(0, at), url);
        rest = rest.substr(at + 1);
    }
    const auto slash = rest.find('/');
    const std::string hosts = rest.substr(0, std::min(slash, rest.find('?')));
    if (hosts.empty())
        fail(text, "the list of sentinels is empty (write redis-sentinel://host:26379/MASTER)");
    for (std::size_t start = 0; start <= hosts.size();) {
        const auto comma = hosts.find(',', start);
        const std::string one = hosts.substr(start, comma - start);
        start = comma == std::string::npos ? hosts.size() + 1 : comma + 1;
        if (one.empty())
            fail(text, "an empty entry in the list of sentinels (a stray ',')");
        RedisUrl server;
        server.port = kSentinelPort;
        parseAuthority(text, one, server);
        url.sentinels.push_back({server.host, server.port});
    }
    const std::string path = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    const auto query = path.find('?');
    url.masterName = percentDecode(text, path.substr(0, query), "master name");
    if (url.masterName.empty())
        fail(text, "no master name: write the name the sentinels monitor after the hosts "
                   "(redis-sentinel://host:26379/mymaster)");
    for (unsigned char c : url.masterName)
        if (!std::isalnum(c) && c != '.' && c != '-' && c != '_')
            fail(text, "the master name contains '" + std::string(1, static_cast<char>(c)) +
                           "' (letters, digits, '.', '-' and '_' only)");
    if (query != std::string::npos)
        parseSentinelQuery(text, path.substr(query + 1), url);
    url.host = url.sentinels.front().host;
    url.port = url.sentinels.front().port;
}

// redis-cluster://[user:password@]host[:port][,host[:port]...], after the scheme.
void parseCluster(const std::string& text, std::string rest, RedisUrl& url) {
    url.cluster = true;
    const auto at = credentialsEnd(rest, 0, false);
    if (at != std::string::npos) {
        takeCredentials(text, rest.substr(0, at), url);
        rest = rest.substr(at + 1);
    }
    if (rest.find_first_of("?#") != std::string::npos)
        fail(text, "unexpected '?' or '#' (a redis-cluster:// URL takes no options)");
    const auto slash = rest.find('/');
    if (slash != std::string::npos && slash + 1 < rest.size() && rest.substr(slash + 1) != "0")
        fail(text, "a Redis Cluster has db 0 only: remove the /db from the URL");
    const std::string hosts = rest.substr(0, slash);
    if (hosts.empty())
        fail(text, "the list of cluster nodes is empty (write redis-cluster://host:6379[,host:"
                   "port...])");
    for (std::size_t start = 0; start <= hosts.size();) {
        const auto comma = hosts.find(',', start);
        const std::string one = hosts.substr(start, comma - start);
        start = comma == std::string::npos ? hosts.size() + 1 : comma + 1;
        if (one.empty())
            fail(text, "an empty entry in the list of cluster nodes (a stray ',')");
        RedisUrl server;
        parseAuthority(text, one, server);
        url.nodes.push_back({server.host, server.port});
    }
    url.host = url.nodes.front().host;
    url.port = url.nodes.front().port;
}

} // namespace

RedisUrl RedisUrl::parse(const std::string& text) {
    if (text.empty())
        fail(text, "it is empty");
    if (text.size() > kMaxUrl)
        fail(text, "it is " + std::to_string(text.size()) + " characters long, more than " +
                       std::to_string(kMaxUrl));
    for (unsigned char c : text)
        if (c <= ' ' || c == 0x7f)
            fail(text, "it contains a space or a control character");
    const auto schemeEnd = text.find("://");
    if (schemeEnd == std::string::npos)
        fail(text, "no scheme; write redis://host:port");
    const std::string scheme = text.substr(0, schemeEnd);
    std::string rest = text.substr(schemeEnd + 3);
    // A sentinel's password anywhere else could be quoted by any error about the part it sits
    // in (a path, a query, a scheme): it is refused before anything is read.
    if (scheme != "redis-sentinel" && sentinelSecret(text) != std::string::npos)
        fail(text, "sentinelPassword= is understood only in the query of a redis-sentinel:// "
                   "URL (redis-sentinel://host[:port]/MASTER?sentinelPassword=...)");
    RedisUrl url;
    if (scheme == "unix") {
        parseUnix(text, rest, url);
        return url;
    }
    if (scheme == "redis-sentinel") {
        // The sentinels' password is taken out before anything else is read: whatever the
        // parser quotes in an error (a port, a db, a name) can then never hold it.
        const auto at = sentinelSecret(rest);
        std::string secret;
        if (at != std::string::npos) {
            secret = rest.substr(at + 17, rest.find('&', at) - (at + 17));
            rest.replace(at + 17, secret.size(), "x");
        }
        parseSentinel(text, rest, url);
        if (!url.sentinelPassword.empty())
            url.sentinelPassword = percentDecode(text, secret, "sentinel password");
        return url;
    }
    if (scheme == "redis-cluster") {
        parseCluster(text, rest, url);
        return url;
    }
    if (scheme == "rediss")
        fail(text, "TLS (rediss://) is not supported: this build uses hiredis without TLS; "
                   "reach the server through a TLS tunnel (e.g. stunnel) with redis://");
    if (scheme != "redis") {
        // A scheme is letters, digits, '+', '-' and '.' (RFC 3986); anything else before the
        // "://" is not echoed: it may be a password typed in the wrong place.
        const bool schemeLike = scheme.size() <= 32 && !scheme.empty() &&
                                std::isalpha(static_cast<unsigned char>(scheme.front())) &&
                                std::all_of(scheme.begin(), scheme.end(), [](char c) {
                                    return std::isalnum(static_cast<unsigned char>(c)) ||
                                           c == '+' || c == '-' || c == '.';
                                });
        fail(text, schemeLike ? "unknown scheme '" + scheme + "'"
                              : std::string("unknown scheme (not shown: it is not a scheme name)"));
    }

    const auto at = credentialsEnd(rest, 0, false);
    if (at != std::string::npos) {
        takeCredentials(text, rest.substr(0, at), url);
        rest = rest.substr(at + 1);
    }
    const auto slash = rest.find('/');
    const std::string dbPart = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    if (rest.find_first_of("?#") != std::string::npos)
        fail(text, "unexpected '?' or '#' (options are not supported)");
    parseAuthority(text, rest.substr(0, slash), url);
    if (!dbPart.empty())
        url.db = parseNumber(text, dbPart, "db", 0, 2147483647);
    return url;
}

namespace {

std::string hostPort(const std::string& host, int port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

} // namespace

std::string RedisUrl::redacted() const {
    std::string creds;
    if (!password.empty())
        creds = user + ":***@";
    if (sentinel) {
        std::string out = "redis-sentinel://" + creds;
        for (std::size_t i = 0; i < sentinels.size(); ++i)
            out += (i ? "," : "") + hostPort(sentinels[i].host, sentinels[i].port);
        out += "/" + masterName;
        std::string query;
        if (db)
            query += "&db=" + std::to_string(db);
        if (!sentinelUser.empty())
            query += "&sentinelUser=" + sentinelUser;
        if (!sentinelPassword.empty())
            query += "&sentinelPassword=***";
        return query.empty() ? out : out + "?" + query.substr(1);
    }
    if (cluster) {
        std::string out = "redis-cluster://" + creds;
        for (std::size_t i = 0; i < nodes.size(); ++i)
            out += (i ? "," : "") + hostPort(nodes[i].host, nodes[i].port);
        return out;
    }
    if (unixSocket)
        return "unix://" + creds + path + (db ? "?db=" + std::to_string(db) : "");
    return "redis://" + creds + hostPort(host, port) + (db ? "/" + std::to_string(db) : "");
}

RedisUrl RedisUrl::server(const std::string& serverHost, int serverPort) const {
    RedisUrl out;
    out.host = serverHost;
    out.port = serverPort;
    out.user = user;
    out.password = password;
    out.bareCredential = bareCredential;
    out.db = db;
    return out;
}

RedisUrl RedisUrl::sentinelServer(const RedisHost& one) const {
    RedisUrl out;
    out.host = one.host;
    out.port = one.port;
    out.user = sentinelUser;
    out.password = sentinelPassword;
    return out;
}

} // namespace baton
