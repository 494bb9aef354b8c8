#pragma once
// `appealhub-sim hotline …`: the 12328 platform simulator's command line (sim/hotline/README.md).

namespace appealhub::sim::hotline {

// argv[0] is the subcommand's name ("hotline"); returns the process exit code.
int run(int argc, char** argv);

}  // namespace appealhub::sim::hotline
