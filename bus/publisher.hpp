// Publishing with publisher confirms: at-least-once delivery to the broker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bus/broker_config.hpp"
#include "bus/message.hpp"

namespace appealhub::bus {

// Publishes persistent messages on its own connection (channel 1, confirm mode) and reports how
// the broker settled each of them.
//
// Contract:
// - One thread uses a publisher (it owns a rabbitmq-c connection, which is not thread-safe). Use
//   one publisher per thread, and never the same connection for consuming.
// - publish() puts the message in the unconfirmed set and sends it at once when connected. It
//   blocks only while `window` messages are unconfirmed (sent or waiting to be sent), serving
//   heartbeats and reading confirms meanwhile. Nothing ever waits for one message's confirm alone.
// - A message is settled exactly once, with its outcome passed to its callback:
//     confirmed: the broker has stored it in every queue it was routed to (quorum: on a majority);
//     returned:  mandatory and unroutable, nothing stored it (basic.return, then its ack);
//     nacked:    the broker refused it (basic.nack), or closed the channel because of it: its
//                exchange does not exist (404) or may not be written to (403) - every unsettled
//                message to that exchange is then nacked - or it exceeds max_message_size (406).
//   Nacked and returned messages are not retried: the caller decides (an outbox relay leaves the
//   row unsent and tries again later).
// - After any connection failure (socket error, missed heartbeats, connection.close from the
//   broker, a channel error) the publisher drops the connection, reconnects with jittered
//   exponential backoff between reconnect_min and reconnect_max, declares nothing (topology is
//   declare_topology's job), and republishes every message not yet settled, in the original order.
//   So a message can reach a queue more than once: delivery is at least once, and consumers
//   de-duplicate on message_id.
// - While the broker blocks the connection (connection.blocked: memory or disk alarm) nothing is
//   sent; publish() keeps accepting messages until the window is full and then waits for
//   connection.unblocked without spinning.
// - Heartbeats are served only inside publish(), flush() and poll(). An idle publisher must call
//   poll() (or flush(0ms)) at least every heartbeat_seconds / 2, or the broker may drop the
//   connection (harmless: the next call reconnects and republishes, but it costs time).
// - Callbacks run on the caller's thread inside publish(), flush() or poll(), after the
//   publisher's state is updated: they may call publish(). If a callback throws, the remaining
//   callbacks of that batch still run and the first exception is rethrown afterwards.
// - Connecting happens inside publish(), flush() and poll(), and one attempt can take up to
//   connect_timeout (flush() may return that much after its timeout). A TLS file that cannot be
//   loaded is a configuration error: std::invalid_argument from the call that tried to connect.
// - The destructor closes the connection without waiting for confirms: call flush() first.
//   Messages still unsettled then are dropped without a callback.
class ConfirmedPublisher {
 public:
  using Settled = std::function<void(const OutgoingMessage&, PublishOutcome)>;

  struct Stats {
    std::uint64_t published = 0;    // publish() calls accepted
    std::uint64_t confirmed = 0;    // settled confirmed
    std::uint64_t returned = 0;     // settled returned
    std::uint64_t nacked = 0;       // settled nacked
    std::uint64_t republished = 0;  // sends of a message already sent on an earlier connection
    std::uint64_t reconnects = 0;   // connections opened after the first one
  };

  // Throws std::invalid_argument for a bad URI or window == 0. Connects on first use, not here.
  explicit ConfirmedPublisher(BrokerConfig config, std::size_t window = 2000);
  ~ConfirmedPublisher();
  ConfirmedPublisher(const ConfirmedPublisher&) = delete;
  ConfirmedPublisher& operator=(const ConfirmedPublisher&) = delete;
  ConfirmedPublisher(ConfirmedPublisher&&) noexcept;
  ConfirmedPublisher& operator=(ConfirmedPublisher&&) noexcept;

  // Throws std::invalid_argument when message_id is empty.
  void publish(OutgoingMessage message, Settled on_settled = {});

  // Returns true once every published message is settled, false when the timeout passes first.
  // Serves heartbeats, reads confirms and reconnects while it waits.
  bool flush(std::chrono::milliseconds timeout);

  // Reads whatever confirms have arrived and serves heartbeats, without blocking.
  void poll();

  // Messages published and not yet settled (sent or waiting to be sent).
  std::size_t unconfirmed() const;
  Stats stats() const;
  bool connected() const;
  // The last connection problem seen (empty if none), for logs and health pages.
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace appealhub::bus
