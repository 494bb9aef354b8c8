#include "bus/publisher.hpp"

#include <amqp.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <exception>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bus/impl/amqp_connection.hpp"
#include "bus/impl/amqp_fields.hpp"
#include "bus/impl/backoff.hpp"

namespace appealhub::bus {
namespace {

using Clock = std::chrono::steady_clock;
using impl::AmqpConnection;
using std::chrono::milliseconds;

// Longest single wait inside publish()/flush(): waits serve heartbeats, this only bounds how
// late a reconnect attempt or a deadline is noticed.
constexpr milliseconds kWaitSlice{500};

// "… exchange 'name' in vhost …" in a 403/404 channel.close names the exchange that caused it.
std::optional<std::string> exchange_named_in(const std::string& text) {
  const std::string open = "exchange '";
  const auto start = text.find(open);
  if (start == std::string::npos) return std::nullopt;
  const auto from = start + open.size();
  const auto end = text.find("' in vhost", from);
  if (end == std::string::npos) return std::nullopt;
  return text.substr(from, end - from);
}

// "… larger than configured max size N" in a 406 channel.close: the broker's max_message_size.
std::optional<std::size_t> max_size_named_in(const std::string& text) {
  const std::string marker = "larger than configured max size ";
  const auto at = text.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::size_t value = 0;
  const char* first = text.data() + at + marker.size();
  const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc() || end == first) return std::nullopt;
  return value;
}

// Bounds a caller's timeout so that now + timeout cannot overflow.
milliseconds bounded(milliseconds timeout) {
  return std::clamp(timeout, milliseconds(0), milliseconds(std::chrono::hours(24 * 365)));
}

}  // namespace

struct ConfirmedPublisher::Impl {
  struct Entry {
    OutgoingMessage message;
    Settled on_settled;
    std::uint64_t tag = 0;  // delivery tag on the current connection; 0: not sent on it
    std::uint32_t sends = 0;
    bool returned = false;  // basic.return seen on the current connection
  };

  BrokerConfig config;
  impl::AddressRing addresses;
  std::size_t window;
  impl::Backoff backoff;

  std::unique_ptr<AmqpConnection> conn;
  bool blocked = false;
  bool ever_connected = false;
  Clock::time_point next_attempt{};

  // Every unsettled message by publisher sequence number (publish order). Those with
  // seq >= send_cursor have not been sent on the current connection.
  std::map<std::uint64_t, Entry> pending;
  std::map<std::uint64_t, std::uint64_t> inflight;  // delivery tag -> seq, current connection
  std::uint64_t next_seq = 1;
  std::uint64_t next_tag = 1;
  std::uint64_t send_cursor = 1;

  std::vector<std::pair<Entry, PublishOutcome>> settled;  // callbacks not yet run
  Stats stats;
  std::string last_error;

  Impl(BrokerConfig c, std::size_t w)
      : config(std::move(c)),
        addresses(config),
        window(w),
        backoff(config.reconnect_min, config.reconnect_max) {}

  bool can_send() const { return conn && conn->usable() && !blocked; }

  void connect() {
    try {
      auto c = std::make_unique<AmqpConnection>(config, addresses.current(), "publisher");
      amqp_confirm_select(c->state(), AmqpConnection::kChannel);
      c->check_reply("confirm.select");
      conn = std::move(c);
    } catch (const BusError& e) {
      last_error = e.what();
      addresses.fail();  // the next node of a cluster, if there is one
      next_attempt = Clock::now() + backoff.next();
      return;
    }
    if (ever_connected) ++stats.reconnects;
    ever_connected = true;
    blocked = false;
    inflight.clear();
    next_tag = 1;  // delivery tags restart at 1 on every new channel
    send_cursor = pending.empty() ? next_seq : pending.begin()->first;
    send_unsent();
  }

  // Forgets the connection; everything unsettled will be sent again on the next one.
  void drop(std::string reason) {
    last_error = std::move(reason);
    conn.reset();
    blocked = false;
    inflight.clear();
    for (auto& [seq, entry] : pending) {
      entry.tag = 0;
      entry.returned = false;
    }
    send_cursor = pending.empty() ? next_seq : pending.begin()->first;
    addresses.fail();  // a lost node: reconnect to the next one
    next_attempt = Clock::now() + backoff.next();
  }

  int send(std::uint64_t seq, const Entry& entry) {
    const OutgoingMessage& m = entry.message;
    impl::TableBuilder headers;
    for (const auto& [key, value] : m.headers) {
      if (key != kPublishSeqHeader) headers.text(key, value);
    }
    headers.i64(kPublishSeqHeader, static_cast<std::int64_t>(seq));
    if (!m.cc.empty()) headers.text_array("CC", m.cc);

    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                   AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    props.message_id = impl::bytes_of(m.message_id);
    props.headers = headers.table();
    props.timestamp = static_cast<std::uint64_t>(std::time(nullptr));
    if (!m.content_type.empty()) {
      props._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
      props.content_type = impl::bytes_of(m.content_type);
    }
    if (!m.type.empty()) {
      props._flags |= AMQP_BASIC_TYPE_FLAG;
      props.type = impl::bytes_of(m.type);
    }
    return amqp_basic_publish(conn->state(), AmqpConnection::kChannel, impl::bytes_of(m.exchange),
                              impl::bytes_of(m.routing_key), m.mandatory ? 1 : 0, 0, &props,
                              impl::bytes_of(m.body));
  }

  void send_unsent() {
    while (can_send()) {
      auto it = pending.lower_bound(send_cursor);
      if (it == pending.end()) return;
      const int rc = send(it->first, it->second);
      if (rc != AMQP_STATUS_OK) {
        conn->mark_broken();
        drop("publish failed: " + impl::status_text(rc));
        return;
      }
      Entry& entry = it->second;
      entry.tag = next_tag++;
      inflight.emplace(entry.tag, it->first);
      if (entry.sends++ > 0) ++stats.republished;
      send_cursor = it->first + 1;
    }
  }

  void settle(std::uint64_t seq, bool acked) {
    auto node = pending.extract(seq);
    if (node.empty()) return;
    Entry& entry = node.mapped();
    PublishOutcome outcome = PublishOutcome::nacked;
    if (acked) outcome = entry.returned ? PublishOutcome::returned : PublishOutcome::confirmed;
    switch (outcome) {
      case PublishOutcome::confirmed:
        ++stats.confirmed;
        break;
      case PublishOutcome::returned:
        ++stats.returned;
        break;
      case PublishOutcome::nacked:
        ++stats.nacked;
        break;
    }
    settled.emplace_back(std::move(entry), outcome);
  }

  void settle_tags(std::uint64_t tag, bool multiple, bool acked) {
    if (multiple) {
      // multiple with tag 0 means every outstanding message (AMQP 0-9-1 basic.ack).
      const auto end = tag == 0 ? inflight.end() : inflight.upper_bound(tag);
      for (auto it = inflight.begin(); it != end; ++it) settle(it->second, acked);
      inflight.erase(inflight.begin(), end);
    } else if (auto it = inflight.find(tag); it != inflight.end()) {
      settle(it->second, acked);
      inflight.erase(it);
    }
  }

  void on_return(const amqp_frame_t& frame) {
    amqp_message_t message;
    amqp_rpc_reply_t reply = amqp_read_message(conn->state(), frame.channel, &message, 0);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      conn->mark_broken();
      drop("reading a returned message: " + impl::reply_text(reply));
      return;
    }
    std::optional<std::int64_t> seq;
    if (message.properties._flags & AMQP_BASIC_HEADERS_FLAG) {
      const amqp_table_t& headers = message.properties.headers;
      for (int i = 0; i < headers.num_entries; ++i) {
        if (impl::string_of(headers.entries[i].key) == kPublishSeqHeader) {
          seq = impl::field_to_int(headers.entries[i].value);
        }
      }
    }
    amqp_destroy_message(&message);
    if (!seq) return;
    if (auto it = pending.find(static_cast<std::uint64_t>(*seq)); it != pending.end()) {
      it->second.returned = true;
    }
  }

  void on_channel_close(const amqp_frame_t& frame) {
    std::string reason = conn->answer_close(frame);
    // Some messages kill the channel and would kill the next one too if sent again: to a missing
    // (404) or forbidden (403) exchange, or larger than the broker's max_message_size (406).
    // Settle them as nacked; everything else is sent again on the next connection.
    std::vector<std::uint64_t> doomed;
    const auto exchange = exchange_named_in(reason);
    const auto max_size = max_size_named_in(reason);
    for (const auto& [seq, entry] : pending) {
      if ((exchange && entry.message.exchange == *exchange) ||
          (max_size && entry.message.body.size() > *max_size)) {
        doomed.push_back(seq);
      }
    }
    for (auto seq : doomed) settle(seq, false);
    drop(std::move(reason));
  }

  void handle(const amqp_frame_t& frame) {
    if (frame.frame_type != AMQP_FRAME_METHOD) return;
    const amqp_method_t& method = frame.payload.method;
    if (frame.channel == 0) {
      switch (method.id) {
        case AMQP_CONNECTION_CLOSE_METHOD:
          drop(conn->answer_close(frame));
          return;
        case AMQP_CONNECTION_BLOCKED_METHOD:
          blocked = true;
          last_error = "blocked by the broker: " +
                       impl::string_of(
                           static_cast<const amqp_connection_blocked_t*>(method.decoded)->reason);
          return;
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
          blocked = false;
          return;
        default:
          return;
      }
    }
    switch (method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(method.decoded);
        backoff.reset();  // the broker works: the next failure starts from reconnect_min again
        settle_tags(ack->delivery_tag, ack->multiple != 0, true);
        return;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<const amqp_basic_nack_t*>(method.decoded);
        settle_tags(nack->delivery_tag, nack->multiple != 0, false);
        return;
      }
      case AMQP_BASIC_RETURN_METHOD:
        on_return(frame);
        return;
      case AMQP_CHANNEL_CLOSE_METHOD:
        on_channel_close(frame);
        return;
      default:
        return;
    }
  }

  // Reads frames for up to `max_wait` (then whatever else is ready), reconnects when due, and
  // sends what is waiting to be sent.
  void service(milliseconds max_wait) {
    if (!conn) {
      const auto now = Clock::now();
      if (now < next_attempt) {
        const auto wait = std::chrono::duration_cast<milliseconds>(next_attempt - now);
        std::this_thread::sleep_for(std::min(max_wait, wait));
        if (Clock::now() < next_attempt) return;
      }
      connect();
      return;
    }
    amqp_frame_t frame;
    int rc = conn->wait_frame(frame, max_wait);
    while (rc == AMQP_STATUS_OK) {
      handle(frame);
      if (!conn) return;
      amqp_maybe_release_buffers(conn->state());
      rc = conn->wait_frame(frame, milliseconds(0));
    }
    if (rc != AMQP_STATUS_TIMEOUT) {
      drop("connection lost: " + impl::status_text(rc));
      return;
    }
    send_unsent();
  }

  void run_callbacks() {
    if (settled.empty()) return;
    auto batch = std::move(settled);
    settled.clear();
    std::exception_ptr first_error;
    for (auto& [entry, outcome] : batch) {
      if (!entry.on_settled) continue;
      try {
        entry.on_settled(entry.message, outcome);
      } catch (...) {
        if (!first_error) first_error = std::current_exception();
      }
    }
    if (first_error) std::rethrow_exception(first_error);
  }
};

ConfirmedPublisher::ConfirmedPublisher(BrokerConfig config, std::size_t window) {
  if (window == 0) throw std::invalid_argument("ConfirmedPublisher: window must be at least 1");
  impl_ = std::make_unique<Impl>(std::move(config), window);
}

ConfirmedPublisher::~ConfirmedPublisher() = default;
ConfirmedPublisher::ConfirmedPublisher(ConfirmedPublisher&&) noexcept = default;
ConfirmedPublisher& ConfirmedPublisher::operator=(ConfirmedPublisher&&) noexcept = default;

void ConfirmedPublisher::publish(OutgoingMessage message, Settled on_settled) {
  if (message.message_id.empty()) {
    throw std::invalid_argument("OutgoingMessage.message_id is required (the event id)");
  }
  Impl& p = *impl_;
  while (p.pending.size() >= p.window) {
    p.service(kWaitSlice);
    p.run_callbacks();
  }
  const std::uint64_t seq = p.next_seq++;
  p.pending.emplace(seq, Impl::Entry{std::move(message), std::move(on_settled)});
  ++p.stats.published;
  if (p.conn) {
    p.send_unsent();
  } else if (Clock::now() >= p.next_attempt) {
    p.connect();
  }
  if (p.conn) p.service(milliseconds(0));  // confirms that have arrived, heartbeats
  p.run_callbacks();
}

bool ConfirmedPublisher::flush(std::chrono::milliseconds timeout) {
  Impl& p = *impl_;
  const auto deadline = Clock::now() + bounded(timeout);
  while (!p.pending.empty()) {
    const auto now = Clock::now();
    if (now >= deadline) {
      p.service(milliseconds(0));
      p.run_callbacks();
      return p.pending.empty();
    }
    p.service(std::min(kWaitSlice, std::chrono::ceil<milliseconds>(deadline - now)));
    p.run_callbacks();
  }
  return true;
}

void ConfirmedPublisher::poll() {
  impl_->service(milliseconds(0));
  impl_->run_callbacks();
}

std::size_t ConfirmedPublisher::unconfirmed() const {
  return impl_->pending.size();
}
ConfirmedPublisher::Stats ConfirmedPublisher::stats() const {
  return impl_->stats;
}
bool ConfirmedPublisher::connected() const {
  return impl_->conn && impl_->conn->usable();
}
std::string ConfirmedPublisher::last_error() const {
  return impl_->last_error;
}

}  // namespace appealhub::bus
