// What the bus tests that need RabbitMQ share: where the broker is, names no other run uses, a
// topology removed after the test, and ways to break connections on purpose.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/broker_config.hpp"
#include "bus/consumer.hpp"
#include "bus/message.hpp"
#include "bus/topology.hpp"

namespace appealhub::bus::testing {

// APPEALHUB_TEST_AMQP_URI, else APPEALHUB_AMQP_URI, else what `scripts/services.sh env` prints,
// else amqp://appealhub:appealhub-dev@127.0.0.1:56720/.
std::string broker_uri();

// A config for the test broker with short reconnect delays; `name` becomes the connection name.
BrokerConfig broker_config(const std::string& name);

// "t<pid>-<random>": a prefix no other test run shares, for queue, exchange and connection names.
const std::string& run_prefix();

// A topology with every name prefixed by run_prefix() + "." + `test` ("…appeals", "…dlx",
// "…dead", "…retry" and the queues given, named "<prefix>.<name>"), declared on construction and
// deleted on destruction.
class ScopedTopology {
 public:
  ScopedTopology(const std::string& test, std::vector<QueueSpec> queues);
  ~ScopedTopology();
  ScopedTopology(const ScopedTopology&) = delete;
  ScopedTopology& operator=(const ScopedTopology&) = delete;

  const TopologySpec& spec() const { return spec_; }
  const QueueSpec& queue(std::size_t i = 0) const { return spec_.queues.at(i); }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  TopologySpec spec_;
};

OutgoingMessage message_to(const std::string& exchange, const std::string& key,
                           const std::string& id, std::string body = "{}");

// A TCP proxy on 127.0.0.1 in front of the broker that can cut every connection through it at
// once (RST both ways), like a network failure or a crashed load balancer would. New connections
// are still accepted after a cut.
class ChaosProxy {
 public:
  ChaosProxy(const std::string& target_host, int target_port);
  ~ChaosProxy();
  int port() const { return port_; }
  // A URI like `uri` that goes through the proxy.
  std::string uri_through(const std::string& uri) const;
  void cut();
  // Stops forwarding on every open connection without closing it, like a network path that
  // silently drops everything: only heartbeats can tell. New connections work normally.
  void freeze();
  int connections() const { return open_.load(); }

 private:
  void run();
  std::string host_;
  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> cut_requests_{0};
  std::atomic<int> freeze_requests_{0};
  std::atomic<int> open_{0};
  std::thread thread_;
};

// Runs rabbitmqctl against the node scripts/services.sh starts (node appealhub@localhost, HOME and
// epmd port as that script sets them; APPEALHUB_VAR and APPEALHUB_EPMD_PORT respected). Returns
// false with the output in `output` when it cannot.
bool rabbitmqctl(const std::string& args, std::string* output);

// Force-closes, on the broker side, every connection whose client-provided name contains `name`
// (connection.close 320 CONNECTION_FORCED). Returns how many it closed, or -1 when rabbitmqctl
// cannot be used here.
int close_connections_named(const std::string& name);

// Takes up to `n` deliveries (acking each when `ack`), giving up after `timeout` in total.
std::vector<Delivery> take(Consumer& consumer, std::size_t n, std::chrono::milliseconds timeout,
                           bool ack = true);

// Polls until `done` or the timeout.
bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done);

}  // namespace appealhub::bus::testing
