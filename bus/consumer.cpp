#include "bus/consumer.hpp"

#include <amqp.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <utility>

#include "bus/impl/amqp_connection.hpp"
#include "bus/impl/amqp_fields.hpp"
#include "bus/impl/backoff.hpp"

namespace appealhub::bus {
namespace {

using Clock = std::chrono::steady_clock;
using impl::AmqpConnection;
using std::chrono::milliseconds;

// Longest single wait inside next(): bounds how late stop() is noticed.
constexpr milliseconds kWaitSlice{200};

void fill_from_properties(Delivery& d, const amqp_basic_properties_t& p) {
  if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) d.message_id = impl::string_of(p.message_id);
  if (p._flags & AMQP_BASIC_TYPE_FLAG) d.type = impl::string_of(p.type);
  if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) d.content_type = impl::string_of(p.content_type);
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const amqp_table_entry_t& entry = p.headers.entries[i];
      std::string key = impl::string_of(entry.key);
      if (key == kPublishSeqHeader) continue;
      if (key == "x-delivery-count") d.delivery_count = impl::field_to_int(entry.value).value_or(0);
      d.headers[std::move(key)] = impl::field_to_text(entry.value);
    }
  }
}

}  // namespace

struct Consumer::Impl {
  BrokerConfig config;
  impl::AddressRing addresses;
  std::string queue;
  std::uint16_t prefetch;
  impl::Backoff backoff;

  std::unique_ptr<AmqpConnection> conn;
  std::uint64_t generation = 0;
  Clock::time_point next_attempt{};
  std::atomic<bool> stopping{false};
  Stats stats;
  std::string last_error;

  Impl(BrokerConfig c, std::string q, std::uint16_t n)
      : config(std::move(c)),
        addresses(config),
        queue(std::move(q)),
        prefetch(n),
        backoff(config.reconnect_min, config.reconnect_max) {}

  void connect() {
    try {
      auto c = std::make_unique<AmqpConnection>(config, addresses.current(), "consumer " + queue);
      // global=0: the limit applies per consumer, the only kind quorum queues support.
      amqp_basic_qos(c->state(), AmqpConnection::kChannel, 0, prefetch, 0);
      c->check_reply("basic.qos");
      amqp_basic_consume(c->state(), AmqpConnection::kChannel, impl::bytes_of(queue),
                         amqp_empty_bytes, /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0,
                         amqp_empty_table);
      c->check_reply("basic.consume on queue '" + queue + "'");
      conn = std::move(c);
    } catch (const BusError& e) {
      last_error = e.what();
      addresses.fail();  // the next node of a cluster, if there is one
      next_attempt = Clock::now() + backoff.next();
      return;
    }
    if (generation > 0) ++stats.reconnects;
    ++generation;
    backoff.reset();
  }

  void drop(std::string reason) {
    last_error = std::move(reason);
    conn.reset();
    addresses.fail();  // a lost node: reconnect to the next one
    next_attempt = Clock::now() + backoff.next();
  }

  std::optional<Delivery> read_delivery(const amqp_frame_t& frame) {
    const auto* deliver = static_cast<const amqp_basic_deliver_t*>(frame.payload.method.decoded);
    Delivery d;
    d.delivery_tag = deliver->delivery_tag;
    d.generation = generation;
    d.redelivered = deliver->redelivered != 0;
    d.exchange = impl::string_of(deliver->exchange);
    d.routing_key = impl::string_of(deliver->routing_key);
    amqp_message_t message;
    amqp_rpc_reply_t reply = amqp_read_message(conn->state(), frame.channel, &message, 0);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      conn->mark_broken();
      drop("reading a delivery: " + impl::reply_text(reply));
      return std::nullopt;
    }
    fill_from_properties(d, message.properties);
    d.body = impl::string_of(message.body);
    amqp_destroy_message(&message);
    return d;
  }

  std::optional<Delivery> handle(const amqp_frame_t& frame) {
    if (frame.frame_type != AMQP_FRAME_METHOD) return std::nullopt;
    const amqp_method_number_t id = frame.payload.method.id;
    if (id == AMQP_CONNECTION_CLOSE_METHOD || id == AMQP_CHANNEL_CLOSE_METHOD) {
      drop(conn->answer_close(frame));
      return std::nullopt;
    }
    if (frame.channel != AmqpConnection::kChannel) return std::nullopt;
    if (id == AMQP_BASIC_CANCEL_METHOD) {
      drop("the broker cancelled the consumer of queue '" + queue + "' (deleted?)");
      return std::nullopt;
    }
    if (id == AMQP_BASIC_DELIVER_METHOD) return read_delivery(frame);
    return std::nullopt;
  }

  bool usable_for(const Delivery& d) const {
    return conn && conn->usable() && d.generation == generation;
  }
};

Consumer::Consumer(BrokerConfig config, std::string queue, std::uint16_t prefetch) {
  if (queue.empty()) throw std::invalid_argument("Consumer: empty queue name");
  if (prefetch == 0) throw std::invalid_argument("Consumer: prefetch must be at least 1");
  impl_ = std::make_unique<Impl>(std::move(config), std::move(queue), prefetch);
}

Consumer::~Consumer() = default;

std::optional<Delivery> Consumer::next(std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  const auto deadline =
      Clock::now() + std::clamp(timeout, milliseconds(0), milliseconds(std::chrono::hours(8760)));
  for (bool first = true; !c.stopping.load(); first = false) {
    const auto now = Clock::now();
    if (!first && now >= deadline) return std::nullopt;
    const auto left = std::max(milliseconds(0), std::chrono::ceil<milliseconds>(deadline - now));
    if (!c.conn) {
      if (now < c.next_attempt) {
        const auto until = std::chrono::ceil<milliseconds>(c.next_attempt - now);
        std::this_thread::sleep_for(std::min({left, until, kWaitSlice}));
        continue;
      }
      c.connect();
      continue;
    }
    amqp_frame_t frame;
    const int rc = c.conn->wait_frame(frame, std::min(left, kWaitSlice));
    if (rc == AMQP_STATUS_TIMEOUT) continue;
    if (rc != AMQP_STATUS_OK) {
      c.drop("connection lost: " + impl::status_text(rc));
      continue;
    }
    std::optional<Delivery> delivery = c.handle(frame);
    if (c.conn) amqp_maybe_release_buffers(c.conn->state());
    if (delivery) {
      ++c.stats.delivered;
      return delivery;
    }
  }
  return std::nullopt;
}

bool Consumer::ack(const Delivery& delivery, bool multiple) {
  Impl& c = *impl_;
  if (!c.usable_for(delivery)) return false;
  const int rc = amqp_basic_ack(c.conn->state(), AmqpConnection::kChannel, delivery.delivery_tag,
                                multiple ? 1 : 0);
  if (rc != AMQP_STATUS_OK) {
    c.conn->mark_broken();
    c.drop("ack failed: " + impl::status_text(rc));
    return false;
  }
  ++c.stats.acked;
  return true;
}

bool Consumer::reject(const Delivery& delivery, bool requeue) {
  Impl& c = *impl_;
  if (!c.usable_for(delivery)) return false;
  const int rc = amqp_basic_reject(c.conn->state(), AmqpConnection::kChannel, delivery.delivery_tag,
                                   requeue ? 1 : 0);
  if (rc != AMQP_STATUS_OK) {
    c.conn->mark_broken();
    c.drop("reject failed: " + impl::status_text(rc));
    return false;
  }
  ++c.stats.rejected;
  return true;
}

void Consumer::stop() {
  impl_->stopping.store(true);
}

Consumer::Stats Consumer::stats() const {
  return impl_->stats;
}
std::uint64_t Consumer::generation() const {
  return impl_->generation;
}
bool Consumer::connected() const {
  return impl_->conn && impl_->conn->usable();
}
std::string Consumer::last_error() const {
  return impl_->last_error;
}

}  // namespace appealhub::bus
