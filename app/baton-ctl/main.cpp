// baton-ctl: the operator's command line for Baton on Redis. See ctl.h and --help.

#include "ctl.h"

int main(int argc, char** argv) {
    return ctl::run(argc, argv, BATON_VERSION);
}
