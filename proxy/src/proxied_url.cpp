#include "baton/proxy/proxied_url.h"

#include <cctype>
#include <stdexcept>

namespace baton::proxy {

namespace {

std::string percentEncoded(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

} // namespace

std::string throughProxy(const RedisUrl& url, int port) {
    if (url.unixSocket)
        throw std::invalid_argument("a unix socket cannot go through the fault proxy (give a "
                                    "redis://host:port URL)");
    std::string credentials;
    if (!url.user.empty())
        credentials = percentEncoded(url.user) + ":" + percentEncoded(url.password) + "@";
    else if (!url.password.empty())
        credentials = ":" + percentEncoded(url.password) + "@";
    return "redis://" + credentials + "127.0.0.1:" + std::to_string(port) + "/" +
           std::to_string(url.db);
}

} // namespace baton::proxy
