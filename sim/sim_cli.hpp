#pragma once
// The command lines of `appealhub-sim mailbox …` and `appealhub-sim petition …` (sim/README.md).

namespace appealhub::sim {

// Both print "listening ADDRESS:PORT" as the first line on stdout, serve until SIGINT or SIGTERM
// and return the exit code (0 after a signal, 2 for a bad command line).
int run_mailbox_sim(int argc, char** argv);
int run_petition_sim(int argc, char** argv);

}  // namespace appealhub::sim
