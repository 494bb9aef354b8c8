#include "bus/topology.hpp"

#include <amqp.h>

#include <stdexcept>

#include "bus/impl/amqp_connection.hpp"
#include "bus/impl/amqp_fields.hpp"

namespace appealhub::bus {
namespace {

using impl::AmqpConnection;
using impl::bytes_of;
using std::chrono::milliseconds;

constexpr amqp_channel_t kChannel = AmqpConnection::kChannel;

void validate(const TopologySpec& spec) {
  if (spec.exchange.empty() || spec.dead_letter_exchange.empty() ||
      spec.dead_letter_queue.empty() || spec.retry_exchange.empty()) {
    throw std::invalid_argument("TopologySpec: exchange and dead-letter/retry names are required");
  }
  for (const QueueSpec& q : spec.queues) {
    if (q.name.empty()) throw std::invalid_argument("TopologySpec: a queue without a name");
    if (q.delivery_limit < 0) {
      throw std::invalid_argument("QueueSpec " + q.name + ": negative delivery_limit");
    }
    for (milliseconds delay : q.retry_delays) {
      if (delay.count() <= 0) {
        throw std::invalid_argument("QueueSpec " + q.name + ": retry delays must be positive");
      }
    }
  }
}

void declare_exchange(AmqpConnection& c, const std::string& name, const char* type) {
  amqp_exchange_declare(c.state(), kChannel, bytes_of(name), amqp_cstring_bytes(type),
                        /*passive=*/0, /*durable=*/1, /*auto_delete=*/0, /*internal=*/0,
                        amqp_empty_table);
  c.check_reply("declaring exchange '" + name + "'");
}

void declare_queue(AmqpConnection& c, const std::string& name, const impl::TableBuilder& args) {
  amqp_queue_declare(c.state(), kChannel, bytes_of(name), /*passive=*/0, /*durable=*/1,
                     /*exclusive=*/0, /*auto_delete=*/0, args.table());
  c.check_reply("declaring queue '" + name + "'");
}

void bind(AmqpConnection& c, const std::string& queue, const std::string& exchange,
          const std::string& key) {
  amqp_queue_bind(c.state(), kChannel, bytes_of(queue), bytes_of(exchange), bytes_of(key),
                  amqp_empty_table);
  c.check_reply("binding queue '" + queue + "' to '" + exchange + "' with '" + key + "'");
}

}  // namespace

std::vector<milliseconds> hub_retry_delays() {
  return {milliseconds(1000), milliseconds(10000), milliseconds(60000)};
}

TopologySpec hub_topology() {
  TopologySpec spec;
  const auto delays = hub_retry_delays();
  spec.queues.push_back({"router.intake", {"intake.*"}, delays, 20});
  spec.queues.push_back({"router.delivery", {"delivery.*"}, delays, 20});
  for (const char* channel : {"hotline12328", "mailbox", "petition", "operator"}) {
    spec.queues.push_back({std::string("adapter.") + channel + ".reply",
                           {std::string("reply.") + channel},
                           delays,
                           20});
  }
  return spec;
}

void declare_topology(const BrokerConfig& config, const TopologySpec& spec) {
  validate(spec);
  const auto connection = impl::connect_any(config, "topology");
  AmqpConnection& c = *connection;

  declare_exchange(c, spec.exchange, "topic");
  declare_exchange(c, spec.dead_letter_exchange, "topic");
  declare_exchange(c, spec.retry_exchange, "direct");

  // The dead-letter queue first: a dead-letter exchange that routes nowhere drops messages.
  impl::TableBuilder dead_args;
  dead_args.text("x-queue-type", "quorum");
  declare_queue(c, spec.dead_letter_queue, dead_args);
  bind(c, spec.dead_letter_queue, spec.dead_letter_exchange, "#");

  for (const QueueSpec& q : spec.queues) {
    // At-least-once dead-lettering (RabbitMQ 3.10+, needs x-overflow reject-publish): the message
    // stays in this queue until the dead-letter queue has confirmed it. The default, at-most-once,
    // can lose it on the way.
    impl::TableBuilder args;
    args.text("x-queue-type", "quorum")
        .text("x-dead-letter-exchange", spec.dead_letter_exchange)
        .text("x-dead-letter-strategy", "at-least-once")
        .text("x-overflow", "reject-publish");
    if (q.delivery_limit > 0) args.i64("x-delivery-limit", q.delivery_limit);  // signed, always
    declare_queue(c, q.name, args);
    for (const std::string& key : q.binding_keys) bind(c, q.name, spec.exchange, key);

    for (milliseconds delay : q.retry_delays) {
      // Quorum queues support x-message-ttl since RabbitMQ 3.10, so retry queues replicate like
      // the rest. Expired messages are dead-lettered to the default exchange with the work
      // queue's name as routing key: straight back into the work queue, at least once.
      const std::string name = retry_queue_name(q.name, delay);
      impl::TableBuilder retry_args;
      retry_args.text("x-queue-type", "quorum")
          .i64("x-message-ttl", delay.count())
          .text("x-dead-letter-exchange", "")
          .text("x-dead-letter-routing-key", q.name)
          .text("x-dead-letter-strategy", "at-least-once")
          .text("x-overflow", "reject-publish");
      declare_queue(c, name, retry_args);
      bind(c, name, spec.retry_exchange, name);
    }
  }
}

void delete_topology(const BrokerConfig& config, const TopologySpec& spec) {
  const auto connection = impl::connect_any(config, "topology");
  AmqpConnection& c = *connection;
  auto delete_queue = [&c](const std::string& name) {
    amqp_queue_delete(c.state(), kChannel, bytes_of(name), /*if_unused=*/0, /*if_empty=*/0);
    c.check_reply_or_not_found("deleting queue '" + name + "'");
  };
  auto delete_exchange = [&c](const std::string& name) {
    amqp_exchange_delete(c.state(), kChannel, bytes_of(name), /*if_unused=*/0);
    c.check_reply_or_not_found("deleting exchange '" + name + "'");
  };
  for (const QueueSpec& q : spec.queues) {
    for (milliseconds delay : q.retry_delays) delete_queue(retry_queue_name(q.name, delay));
    delete_queue(q.name);
  }
  delete_queue(spec.dead_letter_queue);
  delete_exchange(spec.exchange);
  delete_exchange(spec.dead_letter_exchange);
  delete_exchange(spec.retry_exchange);
}

std::optional<QueueState> inspect_queue(const BrokerConfig& config, const std::string& queue) {
  const auto connection = impl::connect_any(config, "inspect");
  AmqpConnection& c = *connection;
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(c.state(), kChannel, bytes_of(queue),
                                                   /*passive=*/1, 0, 0, 0, amqp_empty_table);
  if (!c.check_reply_or_not_found("inspecting queue '" + queue + "'")) return std::nullopt;
  return QueueState{ok->message_count, ok->consumer_count};
}

std::string retry_queue_name(const std::string& queue, milliseconds delay) {
  return queue + ".retry." + std::to_string(delay.count()) + "ms";
}

std::string retry_routing_key(const std::string& queue, std::size_t attempt,
                              const std::vector<milliseconds>& delays) {
  if (attempt == 0) throw std::invalid_argument("retry attempts count from 1");
  if (delays.empty()) throw std::invalid_argument("queue '" + queue + "' has no retry delays");
  const std::size_t index = std::min(attempt, delays.size()) - 1;
  return retry_queue_name(queue, delays[index]);
}

std::string retry_routing_key(const std::string& queue, std::size_t attempt) {
  return retry_routing_key(queue, attempt, hub_retry_delays());
}

}  // namespace appealhub::bus
