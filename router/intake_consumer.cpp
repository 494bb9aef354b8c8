#include "router/intake_consumer.hpp"

#include <algorithm>
#include <cctype>
#include <future>
#include <map>
#include <pqxx/pqxx>
#include <thread>
#include <variant>

#include "bus/batch_loop.hpp"
#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/retry_and_dead_letter.hpp"
#include "core/backoff.hpp"
#include "core/bytes.hpp"
#include "core/codec.hpp"
#include "core/log.hpp"
#include "storage/outbox.hpp"
#include "storage/rejected_messages.hpp"
#include "storage/ticket_intake.hpp"

namespace appealhub::router {
namespace {

// A delivery and what decoding made of it.
struct Received {
  bus::Delivery delivery;
  std::optional<core::Event> event;
  std::string error;  // validation error when event is empty
};

std::string join_errors(const std::vector<core::FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.to_string();
  }
  return out;
}

// `application/json`, in any case, with or without parameters (`; charset=utf-8`).
bool is_json_media_type(std::string_view content_type) {
  const auto end = content_type.find(';');
  auto media = content_type.substr(0, end);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  constexpr std::string_view json = "application/json";
  return media.size() == json.size() &&
         std::equal(media.begin(), media.end(), json.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// The AMQP properties docs/bus.md requires, before the body is looked at.
std::string property_error(const bus::Delivery& d) {
  if (!is_json_media_type(d.content_type)) {
    return "content_type: must be application/json, got '" + d.content_type + "'";
  }
  if (d.message_id.empty()) return "message_id: required (the event's event_id)";
  return {};
}

Received decode(bus::Delivery delivery, std::size_t max_body_bytes) {
  Received r{std::move(delivery), std::nullopt, {}};
  if (r.error = property_error(r.delivery); !r.error.empty()) return r;
  if (r.delivery.body.size() > max_body_bytes) {
    r.error = "$: message body exceeds " + std::to_string(max_body_bytes) + " bytes";
    return r;
  }
  auto decoded = core::decode_event(r.delivery.body);
  if (!decoded.ok()) {
    r.error = join_errors(decoded.errors());
    return r;
  }
  auto event = std::move(decoded).event();
  const auto appeal = core::channel_appeal(event.body);
  if (!appeal) {
    r.error = "event: " + std::string(event.name()) + " is not a channel event";
    return r;
  }
  if (r.delivery.type != event.name()) {
    r.error = "type: property '" + r.delivery.type + "' does not match event " +
              std::string(event.name());
    return r;
  }
  if (r.delivery.message_id != event.event_id) {
    r.error = "message_id: property '" + r.delivery.message_id + "' does not match event_id " +
              event.event_id;
    return r;
  }
  // A retried message comes back through the default exchange under the queue's name; the header
  // is trusted only then.
  const auto rk =
      r.delivery.exchange.empty() ? bus::original_routing_key(r.delivery) : r.delivery.routing_key;
  if (rk != "intake." + std::string(appeal->channel)) {
    r.error = "channel: " + std::string(appeal->channel) + " does not match routing key " + rk;
    return r;
  }
  r.event = std::move(event);
  return r;
}

std::string message_key(const bus::Delivery& delivery) {
  return delivery.message_id.empty() ? "sha256:" + core::sha256_hex(delivery.body)
                                     : delivery.message_id;
}

// Acks a settled batch with one `multiple` ack per connection generation (every earlier delivery
// of that generation was settled by an earlier batch); requeues what could not be settled.
void acknowledge(bus::Consumer& consumer, const std::vector<Received>& batch,
                 const std::vector<bool>& settled) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!settled[i]) consumer.reject(batch[i].delivery, true);
  }
  std::map<std::uint64_t, const bus::Delivery*> last_of_generation;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!settled[i]) continue;
    const auto& d = batch[i].delivery;
    auto& last = last_of_generation[d.generation];
    if (last == nullptr || d.delivery_tag > last->delivery_tag) last = &d;
  }
  const bool all_settled = std::find(settled.begin(), settled.end(), false) == settled.end();
  for (const auto& [generation, last] : last_of_generation) {
    if (all_settled) {
      consumer.ack(*last, true);
    } else {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (settled[i] && batch[i].delivery.generation == generation)
          consumer.ack(batch[i].delivery);
      }
    }
  }
}

}  // namespace

struct IntakeConsumer::State {
  bus::BrokerConfig broker;
  storage::DatabaseConfig database;
  IntakeOptions options;
  storage::TicketIntake intake{"router.intake"};
  SetupSource setup;
  std::unique_ptr<pqxx::connection> db;
  mutable std::mutex stats_mutex;
  IntakeStats stats;

  pqxx::connection& connection() {
    if (!db || !db->is_open()) db = storage::connect(database);
    return *db;
  }

  // Records refused messages and queues their dead letters, in the caller's transaction.
  void reject(pqxx::dbtransaction& txn, const bus::Delivery& d, const std::string& error) {
    storage::record_rejected(txn, {message_key(d), options.queue, d.routing_key, d.routing_key,
                                   d.exchange, d.type, d.message_id, d.body, error});
  }

  // Applies the valid events and records the invalid ones in one transaction.
  void commit_batch(const std::vector<Received>& batch) {
    std::vector<storage::IntakeItem> items;
    for (const auto& r : batch) {
      if (r.event) items.push_back({&*r.event, r.delivery.body});
    }
    const auto routing = setup();
    pqxx::work txn(connection());
    // New tickets are placed before they are inserted: each is written once, already placed.
    RoutingStats placed;
    const auto result = intake.apply(
        txn, items, [&](pqxx::dbtransaction& t, const std::vector<storage::CreatedTicket>& made) {
          std::vector<NewTicket> tickets;
          tickets.reserve(made.size());
          for (const auto& c : made) tickets.push_back({c.id, items[c.item].appeal()});
          auto decision = decide_routing(t, *routing, tickets);
          placed = decision.stats;
          return std::move(decision.records);
        });
    // Orders the channel sent again after a return: placed anew with the new data and deadline;
    // the occasion (the event) keeps their timeline and ticket.routed ids apart from the first.
    for (const auto& back : result.reassigned_back) {
      const auto again = route_new_tickets(txn, *routing, {{back.id, items[back.item].appeal()}},
                                           "reassigned-" + items[back.item].event->event_id);
      placed.assigned += again.assigned;
      placed.triage += again.triage;
    }
    std::size_t rejected = 0;
    for (const auto& r : batch) {
      if (!r.event) {
        reject(txn, r.delivery, r.error);
        ++rejected;
      }
    }
    txn.commit();
    count(result, placed, rejected);
  }

  // Adds a committed batch to the stats.
  void count(const storage::IntakeResult& result, const RoutingStats& placed,
             std::size_t rejected) {
    const std::lock_guard lock(stats_mutex);
    stats.assigned += placed.assigned;
    stats.triage += placed.triage;
    stats.merged += placed.merged;
    stats.suggested += placed.suggested;
    stats.batches++;
    stats.rejected += rejected;
    for (auto outcome : result.outcomes) {
      switch (outcome) {
        case storage::IntakeOutcome::created:
          stats.created++;
          break;
        case storage::IntakeOutcome::applied:
          stats.applied++;
          break;
        case storage::IntakeOutcome::parked:
          stats.parked++;
          break;
        case storage::IntakeOutcome::reassigned_back:
          stats.reassigned_back++;
          break;
        default:
          stats.duplicates++;
          break;
      }
    }
  }
};

IntakeConsumer::IntakeConsumer(bus::BrokerConfig broker, storage::DatabaseConfig database,
                               IntakeOptions options, SetupSource setup)
    : state_(std::make_unique<State>()) {
  state_->setup = std::move(setup);
  state_->broker = std::move(broker);
  state_->database = std::move(database);
  state_->options = std::move(options);
  state_->intake = storage::TicketIntake(state_->options.queue);
}

IntakeConsumer::~IntakeConsumer() = default;

IntakeStats& IntakeStats::operator+=(const IntakeStats& o) {
  deliveries += o.deliveries;
  batches += o.batches;
  created += o.created;
  applied += o.applied;
  parked += o.parked;
  duplicates += o.duplicates;
  reassigned_back += o.reassigned_back;
  rejected += o.rejected;
  retried += o.retried;
  assigned += o.assigned;
  triage += o.triage;
  merged += o.merged;
  suggested += o.suggested;
  collect_us += o.collect_us;
  commit_us += o.commit_us;
  return *this;
}

IntakeStats IntakeConsumer::stats() const {
  const std::lock_guard lock(state_->stats_mutex);
  return state_->stats;
}

namespace {

std::uint64_t micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
}

}  // namespace

namespace {

// What became of a batch on the database side.
struct CommitOutcome {
  enum { committed, poisoned, stopped } result;
  std::string error;
};

CommitOutcome commit_until_done(IntakeConsumer::State& s, const std::vector<Received>& batch,
                                const std::atomic<bool>& stop) {
  core::Backoff backoff(std::chrono::milliseconds(100), std::chrono::milliseconds(5000));
  while (true) {
    try {
      const auto start = std::chrono::steady_clock::now();
      s.commit_batch(batch);
      const std::lock_guard lock(s.stats_mutex);
      s.stats.commit_us += micros_since(start);
      return {CommitOutcome::committed, {}};
    } catch (const pqxx::broken_connection& e) {
      core::log_warn("intake", "database unreachable; holding the batch", {{"error", e.what()}});
    } catch (const pqxx::in_doubt_error& e) {
      core::log_warn("intake", "commit in doubt; applying the batch again", {{"error", e.what()}});
    } catch (const pqxx::transaction_rollback& e) {
      core::log_info("intake", "transaction rolled back; retrying", {{"error", e.what()}});
      continue;
    } catch (const std::exception& e) {
      return {CommitOutcome::poisoned, e.what()};
    }
    if (stop.load()) return {CommitOutcome::stopped, {}};
    s.db.reset();
    std::this_thread::sleep_for(backoff.next());
  }
}

// Something in one message breaks the batch: applies the messages one by one to find it, sends
// it to the retry queues (or, after max_attempts, dead-letters it). Returns which deliveries are
// settled and may be acked.
std::vector<bool> isolate_poison(IntakeConsumer::State& s, bus::ConfirmedPublisher& retries,
                                 const std::vector<Received>& batch) {
  auto settled = std::make_shared<std::vector<bool>>(batch.size(), true);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      s.commit_batch({batch[i]});
    } catch (const std::exception& single) {
      const auto attempt = bus::retry_attempt(batch[i].delivery) + 1;
      if (attempt >= s.options.max_attempts) {
        pqxx::work txn(s.connection());
        s.reject(
            txn, batch[i].delivery,
            "processing failed after " + std::to_string(attempt) + " attempts: " + single.what());
        txn.commit();
        continue;
      }
      retries.publish(bus::retry_of(batch[i].delivery, s.options.queue, attempt, single.what()),
                      [settled, i](const bus::OutgoingMessage&, bus::PublishOutcome o) {
                        (*settled)[i] = o == bus::PublishOutcome::confirmed;
                      });
      const std::lock_guard lock(s.stats_mutex);
      s.stats.retried++;
    }
  }
  if (!retries.flush(std::chrono::seconds(30))) return std::vector<bool>(batch.size(), false);
  return *settled;
}

}  // namespace

void IntakeConsumer::run(const std::atomic<bool>& stop) {
  auto& s = *state_;
  bus::Consumer consumer(s.broker, s.options.queue, s.options.prefetch);
  bus::ConfirmedPublisher retries(s.broker, 1000);

  // One batch commits on a database thread while the next is received and decoded here; acks
  // and the consumer stay on this thread.
  std::vector<Received> in_flight;
  std::future<CommitOutcome> commit;
  const auto settle_in_flight = [&]() -> bool {
    if (!commit.valid()) return true;
    const auto outcome = commit.get();
    if (outcome.result == CommitOutcome::stopped) return false;  // unacked: redelivered later
    std::vector<bool> settled(in_flight.size(), true);
    if (outcome.result == CommitOutcome::poisoned) {
      core::log_warn("intake", "batch failed; isolating", {{"error", outcome.error}});
      settled = isolate_poison(s, retries, in_flight);
    }
    acknowledge(consumer, in_flight, settled);
    in_flight.clear();
    return true;
  };

  while (!stop.load()) {
    std::vector<Received> batch;
    if (auto first = consumer.next(std::chrono::milliseconds(commit.valid() ? 0 : 200))) {
      const auto collect_start = std::chrono::steady_clock::now();
      std::vector<bus::Delivery> deliveries;
      deliveries.push_back(std::move(*first));
      bus::fill_batch(consumer, deliveries, s.options.batch_size,
                      collect_start + s.options.batch_wait);
      batch.reserve(deliveries.size());
      for (auto& d : deliveries) batch.push_back(decode(std::move(d), s.options.max_body_bytes));
      const std::lock_guard lock(s.stats_mutex);
      s.stats.deliveries += batch.size();
      s.stats.collect_us += micros_since(collect_start);
    }
    if (!settle_in_flight()) return;
    if (batch.empty()) continue;
    in_flight = std::move(batch);
    commit = std::async(std::launch::async,
                        [&s, &in_flight, &stop] { return commit_until_done(s, in_flight, stop); });
  }
  settle_in_flight();
}

}  // namespace appealhub::router
