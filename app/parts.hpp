#pragma once
// The long-running parts of `appealhub` as one table (app/parts.cpp): each part is a subcommand
// of its own (`appealhub intake`), and `appealhub run` starts every part at once. A new part is
// one entry of the table: its name, when the configuration enables it, and its factory.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/app_config.hpp"
#include "router/ticket_router.hpp"

namespace appealhub::app {

// What a factory builds. The objects a part runs are owned by these functions (captured
// shared_ptrs) and go when the part has stopped.
struct RunningPart {
  // Each runs on a thread of its own until a stop is requested; restarted after a pause when it
  // throws. The name labels its log lines.
  std::vector<std::pair<std::string, std::function<void()>>> loops;
  std::function<void()> drain;   // optional: first thing at a stop, before the loops are joined
  std::function<void()> report;  // optional: every 10 s and once after the stop
};

struct PartContext {
  const config::AppConfig& config;
  router::SetupSource setup;  // the routing settings in force (loaded before any factory runs)
};

struct Part {
  const char* name;  // its subcommand and the name in the log
  const char* help;  // its line in `appealhub --help`
  // Besides being asked for (by its name or `run`), the part starts only when this holds; a part
  // that is not configured (no folder, no base_url, gateway.port 0) is left out quietly.
  bool (*enabled)(const config::AppConfig&);
  bool follows_settings;                     // needs the routing settings loaded and followed
  RunningPart (*start)(const PartContext&);  // throws when the part cannot be built
};

// In the order they start.
const std::vector<Part>& parts();

// SIGTERM and SIGINT request a stop of the parts (installed before any command runs).
void install_stop_signals();

// Runs the parts `command` names ("run": all, after migrating and declaring the topology) until
// a stop is requested; the exit code (2 when a channel named alone is not configured).
int run_command(const config::AppConfig& c, const std::string& command);

}  // namespace appealhub::app
