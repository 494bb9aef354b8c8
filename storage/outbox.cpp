#include "storage/outbox.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "core/bytes.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {

struct OutboxRelay::Listener : pqxx::notification_receiver {
  explicit Listener(pqxx::connection_base& connection)
      : pqxx::notification_receiver(connection, "appealhub_outbox") {}
  void operator()(const std::string&, int) override { woken = true; }
  bool woken = false;
};

void enqueue_outbox(pqxx::dbtransaction& txn, const std::vector<OutboxMessage>& messages) {
  if (messages.empty()) return;
  // One array per column (statement.hpp). Bodies that are UTF-8 text travel as text (half the
  // size of hex); anything else as hex.
  enum Column : std::size_t { kId, kExchange, kKey, kType, kBody, kHex, kHeaders, kCc, kMandatory };
  ColumnArrays columns(
      {"text", "text", "text", "text", "text", "boolean", "text", "text", "boolean"});
  for (const auto& m : messages) {
    columns.add(kId, m.message_id);
    columns.add(kExchange, m.exchange);
    columns.add(kKey, m.routing_key);
    columns.add(kType, m.type);
    if (core::is_valid_utf8(m.body) && m.body.find('\0') == std::string::npos) {
      columns.add(kBody, m.body);
      columns.add(kHex, "f");
    } else {
      columns.add(kBody, core::hex_encode(m.body));
      columns.add(kHex, "t");
    }
    columns.add(kHeaders, nlohmann::json(m.headers).dump());
    columns.add(kCc, text_array_literal(m.cc));  // a text[] literal, cast back below
    columns.add(kMandatory, m.mandatory ? "t" : "f");
  }
  Statement insert(
      "INSERT INTO outbox (message_id, exchange, routing_key, type, body, headers, cc, mandatory)"
      " SELECT v.id, v.exchange, v.key, v.type, CASE WHEN v.hex THEN decode(v.body, 'hex') ELSE"
      " convert_to(v.body, 'UTF8') END, v.headers::jsonb, v.cc::text[], v.mandatory FROM ");
  std::move(columns).unnest_into(insert,
                                 "id, exchange, key, type, body, hex, headers, cc, mandatory");
  insert.sql(" ORDER BY v.n ON CONFLICT (message_id) DO NOTHING");
  insert.exec(txn);
}

OutboxRelay::OutboxRelay(DatabaseConfig database, OutboxSink& sink, OutboxRelayOptions options)
    : database_(std::move(database)), sink_(sink), options_(options) {}

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::ensure_connected() {
  if (connection_ && connection_->is_open()) return;
  listener_.reset();
  connection_ = connect(database_);
  listener_ = std::make_unique<Listener>(*connection_);
}

std::size_t OutboxRelay::relay_once() {
  ensure_connected();
  pqxx::work txn(*connection_);
  const auto rows = txn.exec(
      "SELECT id, message_id, exchange, routing_key, type, body, headers::text, attempts,"
      " mandatory, cc"
      " FROM outbox WHERE sent_at IS NULL AND available_at <= now() ORDER BY id LIMIT " +
      std::to_string(options_.batch_size) + " FOR UPDATE SKIP LOCKED");
  if (rows.empty()) return 0;
  std::vector<OutboxMessage> batch;
  batch.reserve(rows.size());
  for (const auto& row : rows) {
    OutboxMessage m;
    m.id = row[0].as<std::int64_t>();
    m.message_id = row[1].as<std::string>();
    m.exchange = row[2].as<std::string>();
    m.routing_key = row[3].as<std::string>();
    m.type = row[4].as<std::string>();
    m.body = pqxx::binarystring(row[5]).str();
    m.headers =
        nlohmann::json::parse(row[6].as<std::string>()).get<std::map<std::string, std::string>>();
    m.attempts = row[7].as<int>();
    m.mandatory = row[8].as<bool>();
    m.cc = text_array_of(row[9]);
    batch.push_back(std::move(m));
  }
  const auto errors = sink_.publish(batch);
  std::string sent_ids;
  std::size_t sent = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i < errors.size() && !errors[i].empty()) {
      txn.exec_params(
          "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
          " available_at = now() + $3 * interval '1 millisecond' WHERE id = $1",
          batch[i].id, errors[i], static_cast<long long>(options_.retry_delay.count()));
      core::log_warn("outbox", "broker refused a message",
                     {{"message_id", batch[i].message_id}, {"error", errors[i]}});
      continue;
    }
    if (!sent_ids.empty()) sent_ids += ',';
    sent_ids += std::to_string(batch[i].id);
    ++sent;
  }
  if (!sent_ids.empty()) {
    txn.exec_params(
        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])",
        "{" + sent_ids + "}");
  }
  txn.commit();
  sent_total_ += sent;
  return sent;
}

std::size_t OutboxRelay::prune_once() {
  ensure_connected();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.retention).count();
  std::size_t total = 0;
  for (;;) {
    // In id order: the oldest rows come first, so each chunk reads little beyond what it deletes.
    pqxx::work txn(*connection_);
    const auto deleted = txn.exec_params(
                                "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE "
                                "sent_at < now() - make_interval(secs => $1) ORDER BY id LIMIT "
                                "5000)",
                                static_cast<double>(seconds))
                             .affected_rows();
    txn.commit();
    total += deleted;
    if (deleted < 5000) break;
  }
  if (total > 0) {
    core::log_info("outbox", "deleted sent rows past their retention",
                   {{"rows", std::to_string(total)},
                    {"retention_hours", std::to_string(options_.retention.count())}});
  }
  return total;
}

bool OutboxRelay::wait_for_work(std::chrono::milliseconds timeout) {
  ensure_connected();
  listener_->woken = false;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  connection_->await_notification(us / 1000000, us % 1000000);
  return listener_->woken;
}

void OutboxRelay::run(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(200);
  auto next_prune = std::chrono::steady_clock::now();
  while (!stop.load()) {
    try {
      // Keep going while full batches come back; an empty or partial one means caught up.
      while (!stop.load() && relay_once() == options_.batch_size) {
      }
      if (std::chrono::steady_clock::now() >= next_prune) {
        next_prune = std::chrono::steady_clock::now() + options_.prune_interval;
        prune_once();
      }
      backoff = std::chrono::milliseconds(200);
      // Sleep until NOTIFY or the poll interval, in short slices so that a stop is seen quickly.
      const auto until = std::chrono::steady_clock::now() + options_.poll_interval;
      while (!stop.load() && std::chrono::steady_clock::now() < until) {
        if (wait_for_work(std::min(std::chrono::milliseconds(250), options_.poll_interval))) break;
      }
    } catch (const std::exception& e) {
      core::log_warn("outbox", "relay failed; retrying", {{"error", e.what()}});
      connection_.reset();
      listener_.reset();
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
}

}  // namespace appealhub::storage
