#pragma once
// Publishes a channel adapter's events to `intake.<channel>` with publisher confirms, and says
// whether the broker confirmed every one: the adapter moves its cursor (or answers a webhook 200)
// only then.
//
// Event ids are deterministic, so a fact read twice (the overlap of a re-query, a page seen again,
// a webhook and a poll) is the same message; ids this publisher saw confirmed recently are not
// sent again (the broker stored them already), the rest is de-duplicated by the router's intake.
// One thread uses a publisher.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "bus/broker_config.hpp"
#include "core/event.hpp"

namespace appealhub::bus {
class ConfirmedPublisher;
}

namespace appealhub::adapters {

struct PublishReport {
  bool all_confirmed = false;
  std::size_t confirmed = 0;  // newly confirmed now
  std::size_t skipped = 0;    // confirmed before, not sent again
  std::string problem;        // when not all_confirmed: what the broker said
};

class IntakePublisher {
 public:
  explicit IntakePublisher(bus::BrokerConfig broker, std::size_t remember = 50000);
  ~IntakePublisher();
  IntakePublisher(const IntakePublisher&) = delete;
  IntakePublisher& operator=(const IntakePublisher&) = delete;

  // Publishes `events` in order (each on its routing key on the `appeals` exchange, persistent,
  // message_id = event id) and waits up to `timeout` for the broker's confirms.
  PublishReport publish_all(const std::vector<core::Event>& events,
                            std::chrono::milliseconds timeout);
  // Serves heartbeats while idle.
  void poll();

 private:
  bus::BrokerConfig broker_;
  std::unique_ptr<bus::ConfirmedPublisher> publisher_;
  std::size_t remember_;
  std::unordered_set<std::string> recent_;
  std::deque<std::string> recent_order_;
};

}  // namespace appealhub::adapters
