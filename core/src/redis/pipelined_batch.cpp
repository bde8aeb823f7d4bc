#include "baton/redis/pipelined_batch.h"

namespace baton {

Campaigner::Batch pipelinedBatch(RedisStore& store) {
    return [&store](const std::vector<Campaigner::Job>& jobs) {
        using Kind = RedisStore::LockCall::Kind;
        std::vector<RedisStore::LockCall> calls;
        calls.reserve(jobs.size());
        for (const Campaigner::Job& job : jobs) {
            const Command& c = job.command;
            const Kind kind = c.kind == Command::Kind::Acquire  ? Kind::Acquire
                              : c.kind == Command::Kind::Extend ? Kind::Extend
                                                                : Kind::Release;
            calls.push_back({kind, c.lease.resource, c.lease.token, job.identity, c.ttl});
        }
        const std::vector<RedisStore::LockAnswer> answers = store.lockBatch(calls);
        std::vector<CallResult> results;
        results.reserve(jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const Command& c = jobs[i].command;
            const RedisStore::LockAnswer& a = answers[i];
            if (a.error) {
                results.push_back(CallResult::failure(c.kind, *a.error));
            } else if (c.kind == Command::Kind::Acquire) {
                LockAttempt attempt;
                attempt.holder = a.acquire.holder;
                if (a.acquire.acquired)
                    attempt.lease = Lease{c.lease.resource, c.lease.token, a.acquire.fence};
                results.push_back(CallResult::acquired(std::move(attempt)));
            } else {
                results.push_back(CallResult::answered(c.kind, a.held));
            }
        }
        return results;
    };
}

} // namespace baton
