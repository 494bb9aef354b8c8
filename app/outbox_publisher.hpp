#pragma once
// Relays outbox rows to the bus: the one place where storage's outbox meets bus's publisher.

#include "bus/publisher.hpp"
#include "storage/outbox.hpp"

namespace appealhub::app {

class OutboxPublisher : public storage::OutboxSink {
 public:
  explicit OutboxPublisher(bus::BrokerConfig broker) : publisher_(std::move(broker), 2000) {}

  std::vector<std::string> publish(const std::vector<storage::OutboxMessage>& batch) override;

 private:
  bus::ConfirmedPublisher publisher_;
};

}  // namespace appealhub::app
