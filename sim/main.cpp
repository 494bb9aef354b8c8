// appealhub-sim: the simulators of the outside platforms (sim/README.md).
#include <iostream>
#include <string>

#include "sim/hotline/hotline_sim.hpp"
#include "sim/sim_cli.hpp"

namespace {

constexpr const char* kUsage =
    "usage: appealhub-sim mailbox|petition|hotline [options]   (sim/README.md; "
    "`appealhub-sim mailbox --help`)\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  // Each simulator parses what follows its name.
  if (command == "mailbox") return appealhub::sim::run_mailbox_sim(argc - 2, argv + 2);
  if (command == "petition") return appealhub::sim::run_petition_sim(argc - 2, argv + 2);
  // argv[0] is "hotline", as a program name is for getopt-style parsing.
  if (command == "hotline") return appealhub::sim::hotline::run(argc - 1, argv + 1);
  std::cerr << kUsage;
  return command == "--help" || command == "-h" ? 0 : 2;
}
