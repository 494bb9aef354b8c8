#include "tests/support/sim_process.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

namespace appealhub::testing {

std::string sim_binary() {
  const char* v = std::getenv("APPEALHUB_SIM_BINARY");
  return v && *v ? v : APPEALHUB_SIM_BINARY_PATH;
}

SimProcess start_simulator(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, const std::string& log,
                           bool http) {
  std::remove(log.c_str());
  SimProcess s;
  std::vector<std::string> argv{sim_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  s.process = std::make_unique<ChildProcess>(argv, env, log);
  s.process->start();
  if (!http) return s;
  const std::regex listening(R"(listening 127\.0\.0\.1:(\d+))");
  eventually(std::chrono::seconds(10), [&] {
    std::ifstream in(log);
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, listening)) {
        s.port = static_cast<unsigned short>(std::stoi(m[1]));
        return true;
      }
    }
    return false;
  });
  return s;
}

}  // namespace appealhub::testing
