#pragma once
// `appealhub-sim hotline …` once its command line is parsed (sim/main.cpp,
// sim/hotline/README.md): the 12328 platform's export and import folders over time.

#include <chrono>
#include <cstdint>

#include "sim/hotline/hotline_platform.hpp"

namespace appealhub::sim::hotline {

struct HotlineCommand {
  HotlineOptions options;
  double rate = 10;                               // rows a second
  std::uint64_t count = 0;                        // stop issuing after this many rows; 0: no limit
  std::chrono::milliseconds file_interval{1000};  // waiting rows are written at least this often
  std::chrono::milliseconds poll{500};            // how often import/ is read
  double duration_s = 0;                          // stop after this long; 0: until a signal
  bool once = false;  // issue `count` rows at once, answer import/ once, and exit
};

// Runs until SIGINT/SIGTERM, the duration or once; returns the process exit code.
int run(const HotlineCommand& command);

}  // namespace appealhub::sim::hotline
