#pragma once
// The project's simulators (`appealhub-sim`) as child processes of a test or bench.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace appealhub::testing {

struct SimProcess {
  std::unique_ptr<ChildProcess> process;
  unsigned short port = 0;  // the HTTP simulators' port, read from their log; 0 for the 12328 one
};

// The appealhub-sim binary built with the tests (APPEALHUB_SIM_BINARY overrides it).
std::string sim_binary();

// Starts `appealhub-sim ARGS…` logging to `log` (emptied first). An HTTP simulator started with
// `--port 0` is waited for until its log names the port it listens on (port stays 0 if it never
// does within 10 s); other simulators are returned as soon as they run.
SimProcess start_simulator(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, const std::string& log,
                           bool http = true);

}  // namespace appealhub::testing
