#pragma once
// A thread elector: an in-process baton::Election on a Redis connection of its own, behind a
// baton::FaultStore (partitions, latency, counters); its calls run on a worker of its own.

#include "backend/inbox.h"
#include "backend/redis_elector.h"
#include "backend/serial_worker.h"

#include <functional>
#include <memory>

namespace baton::lab {

class ThreadElector final : public RedisElector {
public:
    ThreadElector(RedisHost& host, int id, const QString& identity, std::shared_ptr<Inbox> inbox,
                  std::string url, std::string resource, const Timing& timing, bool pollingOnly);
    ~ThreadElector() override;

    /// Connects and starts its Election on its worker (again after a failure, from tick()).
    void build();

    bool believesLeader(LabTime now) const override;
    Timing timing() const override;
    std::optional<QString> whyNot(const Action& a, LabTime now) const override;
    std::optional<QString> whyNoResign() const override;
    void act(const Action& a, LabTime now) override;
    void onMember(const MemberInfo* /*m*/, LabTime /*when*/) override {}
    void tick(LabTime now) override;
    void requestStop() override;
    void join() override;

private:
    struct Parts;
    struct Slot;

    void fillView(ElectorView& v, LabTime now, ElectorState down) const override;
    std::uint64_t fenceNow() const override;
    Config electionConfig();
    void built(std::shared_ptr<Parts> parts);
    void buildFailed(const std::string& message);
    /// Runs `fn` on its parts, on its worker; an exception becomes a lab error.
    void onWorker(std::function<void(Parts&)> fn);
    std::optional<QString> whyNotFault(const Action& a) const;
    void actLifecycle(const Action& a, LabTime now, bool leads);

    const std::shared_ptr<Inbox> m_inbox;
    const std::string m_url;
    const std::string m_resource;
    std::shared_ptr<Parts> m_parts; // read on the backend's thread once built
    std::unique_ptr<Slot> m_slot;
    bool m_building = false;
    QString m_buildError;
    LabTime m_nextBuildAt{};
};

} // namespace baton::lab
