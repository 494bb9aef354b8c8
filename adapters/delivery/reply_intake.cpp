#include "adapters/delivery/reply_intake.hpp"

#include <pqxx/pqxx>
#include <vector>

#include "bus/batch_loop.hpp"
#include "bus/retry_and_dead_letter.hpp"
#include "core/bytes.hpp"
#include "core/codec.hpp"
#include "core/log.hpp"
#include "storage/rejected_messages.hpp"

namespace appealhub::adapters::delivery {
namespace {

// Records a refused message and queues its dead letter, in the caller's transaction.
bool reject(pqxx::dbtransaction& txn, const bus::Delivery& d, const std::string& queue,
            const std::string& error) {
  return storage::record_rejected(
      txn, {d.message_id.empty() ? core::sha256_hex(d.body) : d.message_id, queue, d.routing_key,
            bus::original_routing_key(d), d.exchange, d.type, d.message_id, d.body, error});
}

}  // namespace

ReplyIntake::ReplyIntake(bus::BrokerConfig broker, storage::DatabaseConfig database,
                         ReplyIntakeOptions options, storage::ReplyLedger ledger)
    : broker_(std::move(broker)),
      database_(std::move(database)),
      options_(std::move(options)),
      ledger_(std::move(ledger)) {}

ReplyIntakeStats ReplyIntake::stats() const {
  return {deliveries_.load(), recorded_.load(), repeated_.load(), rejected_.load()};
}

void ReplyIntake::run(const std::atomic<bool>& stop) {
  const std::string queue = "adapter." + options_.channel + ".reply";
  storage::KeptConnection db(database_);
  bus::run_batch_loop(
      broker_,
      {queue, options_.prefetch, options_.batch_size, options_.batch_wait, "delivery",
       "cannot record replies; trying again"},
      stop,
      [&](const std::vector<bus::Delivery>& batch) {
        std::uint64_t recorded = 0, repeated = 0, rejected = 0;
        pqxx::work txn(db.get());
        for (const auto& d : batch) {
          auto decoded = core::decode_event(d.body);
          std::string error;
          if (!decoded) {
            error = core::to_string(decoded.errors());
          } else if (const auto* r = std::get_if<core::ReplyRequested>(&decoded.event().body)) {
            if (r->channel != options_.channel) {
              error = "data.channel: " + r->channel + " on the queue of " + options_.channel;
            } else if (ledger_.record_request(txn, decoded.event(), d.body)) {
              ++recorded;
            } else {
              ++repeated;
            }
          } else {
            error = "event: " + std::string(decoded.event().name()) + " is not a reply.requested";
          }
          if (!error.empty()) {
            reject(txn, d, queue, error);
            ++rejected;
            core::log_warn("delivery", "refused a message on the reply queue",
                           {{"queue", queue}, {"message_id", d.message_id}, {"error", error}});
          }
        }
        txn.commit();
        deliveries_ += batch.size();
        recorded_ += recorded;
        repeated_ += repeated;
        rejected_ += rejected;
      },
      [&] { db.drop(); });
}

}  // namespace appealhub::adapters::delivery
