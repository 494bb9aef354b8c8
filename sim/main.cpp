// appealhub-sim: the simulators of the outside platforms (sim/README.md).
#include <iostream>
#include <string>

#include "sim/sim_cli.hpp"
#ifdef APPEALHUB_SIM_HOTLINE
#include "sim/hotline/hotline_sim.hpp"
#endif

namespace {

constexpr const char* kUsage =
    "usage: appealhub-sim mailbox|petition"
#ifdef APPEALHUB_SIM_HOTLINE
    "|hotline"
#endif
    " [options]   (sim/README.md; `appealhub-sim mailbox --help`)\n";

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
#ifdef APPEALHUB_SIM_HOTLINE
  using namespace appealhub::sim;  // finds run_hotline_sim at global scope or in appealhub::sim
  // argv[0] is "hotline", as a program name is for getopt-style parsing.
  if (command == "hotline") return run_hotline_sim(argc - 1, argv + 1);
#endif
  std::cerr << kUsage;
  return command == "--help" || command == "-h" ? 0 : 2;
}
