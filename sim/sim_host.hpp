#pragma once
// Runs one simulated platform: its HTTP server, the switchable faults in front of its API, the
// generator that makes appeals at a rate, the life events that happen to them over time, and the
// loopback-only control and ledger endpoints under /_sim/.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "sim/sim_server.hpp"
#include "sim/sim_support.hpp"

namespace appealhub::sim {

// A control request the simulation refuses: answered with `status` and the message.
struct ControlError : std::runtime_error {
  ControlError(int code, const std::string& message) : std::runtime_error(message), status(code) {}
  int status;
};

// One simulated platform, behind the host. Implementations lock their own state.
class Simulation {
 public:
  virtual ~Simulation() = default;
  virtual std::string name() const = 0;
  // The channel API, once the host's faults let the request through. A reply endpoint asks
  // faults.drop_after_store() after storing: the documented "fault after stored" case.
  virtual Outcome handle(const http::Request& request, Faults& faults) = 0;
  // An error in the channel's own shape ({"error": …} or {"code": …}).
  virtual http::Response error(int status, const std::string& code,
                               const std::string& message) const = 0;
  // Creates `count` appeals now; `overrides` may fix fields (e.g. {"public": false}). Their ids.
  virtual std::vector<std::string> generate(int count, const nlohmann::json& overrides) = 0;
  // Runs the scheduled life events (withdrawals, ratings, follow-ups…) due by `now`.
  virtual void advance(std::chrono::steady_clock::time_point now) = 0;
  // A life event on demand (POST /_sim/act): {"action": "withdraw", "id": "…", …}.
  virtual nlohmann::json act(const nlohmann::json& action) = 0;
  // Everything issued and received (the host adds requests and faults).
  virtual nlohmann::json ledger() const = 0;
  // The state to keep across restarts (--state-file); null when there is nothing to keep.
  virtual nlohmann::json save_state() const { return nullptr; }
  virtual void load_state(const nlohmann::json&) {}
  // Background work of its own (webhook delivery) ends here, before the host goes away.
  virtual void shutdown() {}
};

struct HostOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;
  double rate = 0;         // appeals a second made by the generator; 0: only /_sim/generate
  std::int64_t count = 0;  // the generator stops after this many; 0: no limit
  std::uint64_t seed = 1;  // faults' random source (the simulation has its own)
  FaultSettings faults;
  std::string state_file;  // empty: state lives in memory only
};

class SimHost {
 public:
  SimHost(HostOptions options, std::unique_ptr<Simulation> simulation);
  ~SimHost();
  SimHost(const SimHost&) = delete;
  SimHost& operator=(const SimHost&) = delete;

  unsigned short port() const;
  Simulation& simulation();
  Faults& faults();
  // Stops serving and generating, saves the state file. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A JSON answer.
http::Response json_response(int status, const nlohmann::json& body);

}  // namespace appealhub::sim
