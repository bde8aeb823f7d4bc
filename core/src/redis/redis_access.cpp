#include "redis_access.h"

#include "redis_store_impl.h"

#include <cctype>

namespace baton {

using namespace redis_detail;

namespace redis_detail {

namespace {

// Every command a store of an election sends, its scripts' included: a user granted these
// (and ROLE, for this check) on baton:* keys and channels can run elections and presence.
constexpr const char* kElectionCommands =
    "+ping +select +role +script|load +evalsha +publish +subscribe +unsubscribe +exists +strlen "
    "+get +set +del +incr +pexpire +pttl +time +hset +hdel +hlen +hscan +wait";
// More on a Cluster: the slot map, ASK redirections, sharded pub/sub.
constexpr const char* kClusterCommands =
    " +cluster|slots +asking +spublish +ssubscribe +sunsubscribe";

// Every command a read-only watch sends (README, "Monitoring a deployment"): nothing that
// writes; keys and channels baton:* only, reset first so that no wider grant stays.
constexpr const char* kWatchCommands =
    "resetkeys ~baton:* resetchannels &baton:* -@all +ping +select +scan +script|load +evalsha "
    "+time +pttl +strlen +type +get +hlen +hscan +subscribe +unsubscribe";

std::string userOf(const RedisUrl& url) {
    return url.user.empty() ? "default" : url.user;
}

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

} // namespace

std::string aclAdvice(const RedisUrl& url, Access access) {
    if (access == Access::Watch)
        return "grant what a read-only watch needs: ACL SETUSER " + userOf(url) + " " +
               kWatchCommands +
               " (and, for other libraries' lock patterns, their keys and "
               "+hgetall)";
    return "grant what an election needs: ACL SETUSER " + userOf(url) + " " + kElectionCommands +
           (url.cluster ? kClusterCommands : "") + " ~baton:* &baton:*";
}

std::string explainAccess(const RedisUrl& url, const std::string& command, const std::string& error,
                          const char* scriptCommands, Access access) {
    const std::string user = "the Redis user '" + userOf(url) + "'";
    if (error.rfind("READONLY", 0) == 0)
        return "the server is a read-only replica (READONLY): an election needs the primary; "
               "point the Redis URL at it";
    if (error.rfind("NOPERM", 0) == 0) {
        std::string what = "run " + upper(command);
        if (error.find("one of the keys") != std::string::npos)
            what = "use the keys baton:* (" + upper(command) + ")";
        else if (error.find("one of the channels") != std::string::npos)
            what = "use the channels baton:* (" + upper(command) + ")";
        return user + " may not " + what + " (" + error + "); " + aclAdvice(url, access);
    }
    if (error.find("can't run this command") != std::string::npos) {
        const std::string said = error.substr(0, error.find(" script:"));
        if (!scriptCommands)
            return user + " may not run " + upper(command) + " (" + said + "); " +
                   aclAdvice(url, access);
        return user + " may not run one of the commands of Baton's scripts (" + scriptCommands +
               "; the server says: " + said + "); " + aclAdvice(url, access);
    }
    return error;
}

void checkSubscribe(RedisStore::Impl& impl, const std::string& channel, const char* why,
                    Access access) {
    Context c = connectTo(impl.target(), impl.options(), false);
    Reply r = command(c.get(), {impl.subscribeVerb(), channel});
    if (!r)
        throw StoreError("cannot check SUBSCRIBE on " + impl.endpoint() + ": " +
                         contextError(c.get(), impl.options().commandTimeout));
    if (r->type == REDIS_REPLY_ERROR)
        throw StoreError(
            "cannot subscribe to " + channel + " on " + impl.endpoint() + " (" + why +
            "): " + explainAccess(impl.url(), "SUBSCRIBE", replyText(r.get()), nullptr, access));
}

} // namespace redis_detail

namespace {

// The first reply's error text, or empty when the call went through. Throws on a lost
// connection.
std::string errorOf(const Reply& r) {
    return r->type == REDIS_REPLY_ERROR ? replyText(r.get()) : std::string();
}

// Refuses a replica: its locks are not the primary's, and a read-only one refuses them.
void checkNotAReplica(RedisStore::Impl& impl) {
    Reply r = impl.run({"ROLE"});
    // A user who may not run ROLE is still checked: the check script's write fails on a
    // read-only replica.
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
        r->element[0]->type != REDIS_REPLY_STRING || replyText(r->element[0]) != "slave")
        return;
    const std::string primary =
        (r->element[1]->type == REDIS_REPLY_STRING ? replyText(r->element[1]) : "?") + ":" +
        std::to_string(r->element[2]->type == REDIS_REPLY_INTEGER ? r->element[2]->integer : 0);
    throw StoreError(impl.endpoint() + " is a replica of " + primary +
                     ", and an election needs the primary: point the Redis URL at it "
                     "(redis://" +
                     primary + ")");
}

} // namespace

void RedisStore::checkElectionAccess(const std::string& resource) {
    Impl& impl = *m_impl;
    const std::string where = " on " + impl.endpoint();
    checkNotAReplica(impl);
    const std::string lock = key(resource, "lock");
    Reply r = impl.eval(Check, {lock, key(resource, "fence"), key(resource, "members")}, {});
    if (const std::string error = errorOf(r); !error.empty())
        throw StoreError("cannot run Baton's scripts on " + lock + where + ": " +
                         explainAccess(impl.url(), "EVALSHA", error));
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2)
        throw StoreError(
            "cannot use " + lock + where + ": " +
            explainAccess(impl.url(), replyText(r->element[0]), replyText(r->element[1])));
    const std::string events = key(resource, "events");
    // Nobody acts on this message: it is no event, no notice, no control message.
    r = impl.run({impl.publishVerb(), events, "{\"check\":\"baton may publish here\"}"});
    if (const std::string error = errorOf(r); !error.empty())
        throw StoreError("cannot publish to " + events + where +
                         " (release notices and events go there): " +
                         explainAccess(impl.url(), "PUBLISH", error));
    checkSubscribe(impl, events, "release notices come there");
    checkSubscribe(impl, key(resource, "control"), "control messages come there");
}

} // namespace baton
