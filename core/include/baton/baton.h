#pragma once
// Everything of the Baton core in one include.

#include "baton/checker.h"
#include "baton/clock.h"
#include "baton/config.h"
#include "baton/election.h"
#include "baton/election_machine.h"
#include "baton/event.h"
#include "baton/history.h"
#include "baton/locker.h"
#include "baton/memory_store.h"
#include "baton/pacer.h"
#include "baton/protected_resource.h"
#include "baton/random.h"
#include "baton/random_faults.h"
#include "baton/scenario.h"
#include "baton/simulator.h"
#include "baton/store.h"
