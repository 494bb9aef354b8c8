// One rabbitmq-c connection with channel 1 open: the glue every part of the bus shares.
#pragma once

#include <amqp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bus/broker_config.hpp"

namespace appealhub::bus::impl {

// Text for a rabbitmq-c status code (AMQP_STATUS_*).
std::string status_text(int status);
// Text for an RPC reply: the broker's close code and text, or the library error.
std::string reply_text(const amqp_rpc_reply_t& reply);

// Owns an amqp_connection_state_t: TCP or TLS socket, login (with client properties
// connection_name and the capabilities connection.blocked and consumer_cancel_notify), channel 1.
// Not thread-safe: one thread per connection.
class AmqpConnection {
 public:
  static constexpr amqp_channel_t kChannel = 1;

  // Opens the connection. Throws BusError (unreachable, TLS verification, refused login) or
  // std::invalid_argument (TLS settings that cannot work). `role` is appended to the connection
  // name shown by the broker.
  AmqpConnection(const BrokerConfig& config, const BrokerAddress& address, std::string_view role);
  // Closes channel and connection politely if the connection is still healthy (bounded by the
  // RPC timeout), then frees everything.
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t state() const { return state_; }

  // After a synchronous request (declare, qos, consume…): throws BusError with `what` and the
  // broker's reason unless the last reply was normal. A failed request leaves the connection
  // unusable (the broker closed the channel or the connection), so it is marked broken.
  void check_reply(std::string_view what);

  // Like check_reply, but a channel closed with 404 NOT_FOUND returns false and opens channel 1
  // again (for passive declares and deletes of things that may not exist).
  bool check_reply_or_not_found(std::string_view what);

  // Waits up to `timeout` for the next frame, serving heartbeats. Returns AMQP_STATUS_OK,
  // AMQP_STATUS_TIMEOUT, or an error status (the connection is then marked broken).
  int wait_frame(amqp_frame_t& frame, std::chrono::milliseconds timeout);

  // For a channel.close or connection.close method from the broker: answers with close-ok and
  // returns "<what> closed by broker: <code> <text>". The connection is then no longer usable().
  std::string answer_close(const amqp_frame_t& frame);

  // Marks the socket dead: the destructor will not try to close politely.
  void mark_broken() { broken_ = true; }
  // Healthy, with channel 1 open.
  bool usable() const { return !broken_ && channel_open_; }

 private:
  amqp_connection_state_t state_ = nullptr;
  bool broken_ = false;
  bool channel_open_ = false;
};

// For one-shot calls (topology, checks): a connection to the first of the config's addresses
// that answers. Throws the last address's BusError when none does, std::invalid_argument at once.
std::unique_ptr<AmqpConnection> connect_any(const BrokerConfig& config, std::string_view role);

// The addresses a reconnecting publisher or consumer goes round: current() until fail() moves on.
class AddressRing {
 public:
  explicit AddressRing(const BrokerConfig& config) : addresses_(broker_addresses(config)) {}
  const BrokerAddress& current() const { return addresses_[index_]; }
  void fail() { index_ = (index_ + 1) % addresses_.size(); }

 private:
  std::vector<BrokerAddress> addresses_;
  std::size_t index_ = 0;
};

}  // namespace appealhub::bus::impl
