#include "adapters/common/intake_publisher.hpp"

#include "bus/publisher.hpp"
#include "core/codec.hpp"

namespace appealhub::adapters {

IntakePublisher::IntakePublisher(bus::BrokerConfig broker, std::size_t remember)
    : broker_(std::move(broker)), remember_(remember) {}

IntakePublisher::~IntakePublisher() = default;

PublishReport IntakePublisher::publish_all(const std::vector<core::Event>& events,
                                           std::chrono::milliseconds timeout) {
  PublishReport report;
  if (!publisher_) publisher_ = std::make_unique<bus::ConfirmedPublisher>(broker_, 2000);
  struct Outcomes {
    std::vector<std::string> confirmed;
    std::string problem;
  };
  auto outcomes = std::make_shared<Outcomes>();
  std::size_t sent = 0;
  for (const auto& event : events) {
    if (recent_.contains(event.event_id)) {
      ++report.skipped;
      continue;
    }
    bus::OutgoingMessage m;
    m.exchange = "appeals";
    m.routing_key = event.routing_key();
    m.body = core::encode_event(event);
    m.message_id = event.event_id;
    m.type = std::string(event.name());
    publisher_->publish(
        std::move(m), [outcomes](const bus::OutgoingMessage& message, bus::PublishOutcome o) {
          if (o == bus::PublishOutcome::confirmed) {
            outcomes->confirmed.push_back(message.message_id);
          } else if (outcomes->problem.empty()) {
            outcomes->problem =
                std::string(bus::to_string(o)) + " by the broker (" + message.routing_key + ")";
          }
        });
    ++sent;
  }
  const bool settled = sent == 0 || publisher_->flush(timeout);
  for (const auto& id : outcomes->confirmed) {
    if (recent_.insert(id).second) recent_order_.push_back(id);
  }
  while (recent_order_.size() > remember_) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
  report.confirmed = outcomes->confirmed.size();
  report.all_confirmed = settled && report.confirmed == sent;
  if (!report.all_confirmed) {
    report.problem =
        !outcomes->problem.empty() ? outcomes->problem
        : !settled ? "broker did not confirm within " + std::to_string(timeout.count()) + " ms" +
                         (publisher_->last_error().empty() ? "" : ": " + publisher_->last_error())
                   : "broker did not confirm every event";
    // Start clean: what was not settled is published again by the next attempt.
    publisher_.reset();
  }
  return report;
}

void IntakePublisher::poll() {
  if (publisher_) publisher_->poll();
}

}  // namespace appealhub::adapters
