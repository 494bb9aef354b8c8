#include "app/outbox_publisher.hpp"

#include <memory>
#include <stdexcept>

namespace appealhub::app {

std::vector<std::string> OutboxPublisher::publish(
    const std::vector<storage::OutboxMessage>& batch) {
  // Shared: a confirm can arrive after a timed-out flush, when this call has returned.
  auto errors = std::make_shared<std::vector<std::string>>(batch.size(), "not confirmed");
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& row = batch[i];
    bus::OutgoingMessage m;
    m.exchange = row.exchange;
    m.routing_key = row.routing_key;
    m.body = row.body;
    m.message_id = row.message_id;
    m.type = row.type;
    m.headers = row.headers;
    m.cc = row.cc;
    m.mandatory = row.mandatory;
    publisher_.publish(std::move(m),
                       [errors, i](const bus::OutgoingMessage&, bus::PublishOutcome o) {
                         switch (o) {
                           case bus::PublishOutcome::confirmed:
                             (*errors)[i].clear();
                             break;
                           case bus::PublishOutcome::returned:
                             (*errors)[i] = "unroutable (returned by the broker)";
                             break;
                           case bus::PublishOutcome::nacked:
                             (*errors)[i] = "refused by the broker (nack)";
                             break;
                         }
                       });
  }
  if (!publisher_.flush(std::chrono::seconds(30))) {
    throw std::runtime_error("outbox: broker did not confirm the batch within 30 s");
  }
  return *errors;
}

}  // namespace appealhub::app
