// baton-sim: a Baton cluster on virtual time, with faults, checked for safety.

#include "cli.h"

int main(int argc, char* argv[]) {
    return baton::sim::run(argc, argv, BATON_VERSION);
}
