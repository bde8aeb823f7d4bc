// baton-agent: one real elector process on Redis. See agent.h and --help.

#include "agent.h"
#include "sharded.h"

#include <baton/base/text.h>

#include <cstdio>
#include <fcntl.h>

int main(int argc, char** argv) {
    // A closed stdin, stdout or stderr would go to the first descriptor opened (a Redis socket,
    // the signalfd), and event lines with it: /dev/null stands in for a closed one.
    for (int fd = 0; fd <= 2; ++fd)
        if (::fcntl(fd, F_GETFD) < 0)
            ::open("/dev/null", O_RDWR);
    agent::Agent::blockEndingSignals();
    agent::Options options;
    try {
        options = agent::parse(argc, argv);
    } catch (const agent::UsageError& e) {
        // The argument is in the message: it may not end the line or reach the terminal raw.
        std::fprintf(stderr, "baton-agent: %s\n", baton::visible(e.what(), 4096).c_str());
        return 2;
    }
    if (options.help) {
        std::fputs(agent::kUsage, stdout);
        return 0;
    }
    if (options.version) {
        std::puts(agent::kVersion);
        return 0;
    }
    if (options.shards > 0)
        return agent::runSharded(options);
    return agent::Agent(std::move(options)).run();
}
