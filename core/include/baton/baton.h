#pragma once
// The election library (Baton::core) in one include: the election, the lock over any store and
// the embedded store. The Redis store is in baton/redis/ (Baton::redis), the simulator in
// baton/sim/ (Baton::sim).

#include "baton/base/clock.h"
#include "baton/election/config.h"
#include "baton/election/election.h"
#include "baton/election/election_machine.h"
#include "baton/election/event.h"
#include "baton/store/locker.h"
#include "baton/store/memory_store.h"
#include "baton/store/store.h"
