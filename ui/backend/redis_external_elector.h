#pragma once
// A baton-agent somebody else started on the resource, seen through the core's Observer (its
// presence entry and its events on the channel); controlled by control messages only, and only
// when it runs with --allow-control.

#include "backend/redis_elector.h"

namespace baton::lab {

class ExternalElector final : public RedisElector {
public:
    ExternalElector(RedisHost& host, int id, const QString& identity);

    /// First heard of on the event channel: watch only until its presence entry says more.
    void seenOnChannel();

    bool believesLeader(LabTime now) const override;
    std::optional<QString> whyNot(const Action& a, LabTime now) const override;
    std::optional<QString> whyNoResign() const override;
    void act(const Action& a, LabTime now) override;
    std::variant<Action, QString> leaderKill(const Action& a) const override;
    void onMember(const MemberInfo* m, LabTime when) override;

private:
    void fillView(ElectorView& v, LabTime now, ElectorState down) const override;
    void noted(const WireEvent& w) override;

    bool m_present = false;
    bool m_sawStopped = false;
};

} // namespace baton::lab
