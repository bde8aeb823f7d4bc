#pragma once
// Everything of the Baton core in one include.

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/election.h"
#include "baton/election_machine.h"
#include "baton/event.h"
#include "baton/locker.h"
#include "baton/memory_store.h"
#include "baton/redis_store.h"
#include "baton/redis_url.h"
#include "baton/store.h"
