#pragma once
// The shared runtime on Redis: a Campaigner's calls sent as one pipeline on the store's one
// command connection (many elections' calls in flight at once, answers matched in order).

#include "baton/election/campaigner.h"
#include "baton/redis/redis_store.h"

namespace baton {

/// A Batch for a Campaigner whose Locker is on `store` (the store must outlive it).
Campaigner::Batch pipelinedBatch(RedisStore& store);

} // namespace baton
