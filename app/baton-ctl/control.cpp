// baton-ctl stop|pause|partition|set: one control message to an agent (or every agent of a
// resource), confirmed by what its presence entry says next.

#include "ctl.h"

#include <baton/base/text.h>
#include <baton/redis/resource_directory.h>
#include <baton/wire/control.h>

#include <cstdio>
#include <thread>

namespace ctl {

using namespace std::chrono_literals;

namespace {

// The resource whose live members include `id`: the one given, or the only one found.
baton::ResourceInfo findMember(baton::RedisStore& store, const Request& r) {
    baton::ResourceDirectory directory(store);
    if (!r.resource.empty())
        return directory.read(r.resource);
    std::vector<baton::ResourceInfo> found;
    for (auto& info : directory.scan().resources)
        for (const auto& m : info.members)
            if (m.id == r.id)
                found.push_back(info);
    const std::string who = "'" + baton::visible(r.id, 200) + "'";
    if (found.empty())
        throw Failure(NotInTime, "no live elector " + who + " on " + store.endpoint() +
                                     " (baton-ctl resources lists them)");
    if (found.size() > 1)
        throw Failure(BadUsage, who + " is a member of " + std::to_string(found.size()) +
                                    " resources: say which with --resource");
    return found.front();
}

baton::wire::ControlMessage messageFor(const Request& r, const baton::MemberInfo* m) {
    using baton::wire::ControlMessage;
    if (r.command == "stop")
        return ControlMessage::stop(r.id);
    if (r.command == "pause")
        return ControlMessage::pause(r.id, r.length);
    if (r.command == "partition")
        return ControlMessage::partition(r.id, r.length);
    // set: what is not given stays as the member's entry says (a message carries all three).
    baton::Timing t;
    if (m) {
        t.ttl = m->ttl;
        t.refreshInterval = m->refresh;
        t.retryInterval = m->retry;
    }
    ControlMessage message = ControlMessage::set(r.id, t);
    message.ttl = r.ttl ? r.ttl : (m ? message.ttl : std::nullopt);
    message.refresh = r.refresh ? r.refresh : (m ? message.refresh : std::nullopt);
    message.retry = r.retry ? r.retry : (m ? message.retry : std::nullopt);
    return message;
}

// Whether `info` (read after the message) shows `id` obeyed it.
bool obeyed(const Request& r, const baton::ResourceInfo& info, const std::string& id) {
    const baton::MemberInfo* m = nullptr;
    for (const auto& member : info.members)
        if (member.id == id)
            m = &member;
    if (r.command == "stop")
        return !m;
    if (!m)
        return false;
    if (r.command == "pause")
        return r.length == baton::Duration::zero() ? m->state != "paused" : m->state == "paused";
    if (r.command == "partition")
        return r.length == baton::Duration::zero() ? m->state != "partitioned"
                                                   : m->state == "partitioned";
    return (!r.ttl || m->ttl == *r.ttl) && (!r.refresh || m->refresh == *r.refresh) &&
           (!r.retry || m->retry == *r.retry);
}

} // namespace

int control(const Request& r) {
    auto store = connect(r.redis);
    try {
        const baton::ResourceInfo info = findMember(*store, r);
        std::vector<std::string> ids;
        const baton::MemberInfo* target = nullptr;
        for (const auto& m : info.members) {
            if (r.id != "*" && m.id != r.id)
                continue;
            if (!m.control)
                throw Failure(NotPermitted, "'" + baton::visible(m.id, 200) +
                                                "' was not started with --allow-control, so it "
                                                "ignores control messages; restart it with "
                                                "--allow-control");
            ids.push_back(m.id);
            target = &m;
        }
        if (ids.empty())
            throw Failure(NotInTime, "no live elector '" + baton::visible(r.id, 200) + "' of '" +
                                         baton::visible(info.name, 200) + "'");
        store->publishChannel(baton::RedisStore::key(info.name, "control"),
                              baton::wire::encode(messageFor(r, r.id == "*" ? nullptr : target)));
        if (r.wait == baton::Duration::zero())
            return Ok;
        const auto deadline = baton::SteadyClock::instance().now() + r.wait;
        baton::ResourceDirectory directory(*store);
        for (const auto& id : ids) {
            while (!obeyed(r, directory.read(info.name), id)) {
                if (baton::SteadyClock::instance().now() >= deadline)
                    throw Failure(NotInTime, "'" + baton::visible(id, 200) + "' did not show " +
                                                 r.command + " within " +
                                                 baton::formatDuration(r.wait));
                std::this_thread::sleep_for(20ms);
            }
        }
        std::printf("%s: done (%s of %s)\n", r.command.c_str(),
                    r.id == "*" ? "every elector" : baton::visible(r.id, 200).c_str(),
                    baton::visible(info.name, 200).c_str());
        return Ok;
    } catch (const baton::StoreError& e) {
        fail(e, r.command);
    }
}

} // namespace ctl
