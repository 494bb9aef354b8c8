#include "router/delivery_consumer.hpp"

#include <pqxx/pqxx>
#include <vector>

#include "bus/batch_loop.hpp"
#include "bus/retry_and_dead_letter.hpp"
#include "core/bytes.hpp"
#include "core/codec.hpp"
#include "core/log.hpp"
#include "storage/rejected_messages.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::router {
namespace {

constexpr const char* kQueue = "router.delivery";

void reject(pqxx::dbtransaction& txn, const bus::Delivery& d, const std::string& error) {
  storage::record_rejected(
      txn, {d.message_id.empty() ? core::sha256_hex(d.body) : d.message_id, kQueue, d.routing_key,
            bus::original_routing_key(d), d.exchange, d.type, d.message_id, d.body, error});
}

}  // namespace

DeliveryConsumer::DeliveryConsumer(bus::BrokerConfig broker, storage::DatabaseConfig database,
                                   DeliveryConsumerOptions options)
    : broker_(std::move(broker)), database_(std::move(database)), options_(options) {}

void DeliveryConsumer::run(const std::atomic<bool>& stop) {
  storage::KeptConnection db(database_);
  bus::run_batch_loop(
      broker_,
      {kQueue, options_.prefetch, options_.batch_size, options_.batch_wait, "delivery",
       "cannot apply delivery outcomes; trying again"},
      stop,
      [&](const std::vector<bus::Delivery>& batch) {
        std::uint64_t applied = 0;
        pqxx::work txn(db.get());
        for (const auto& d : batch) {
          auto decoded = core::decode_event(d.body);
          if (!decoded) {
            reject(txn, d, core::to_string(decoded.errors()));
            continue;
          }
          const auto& e = decoded.event();
          if (!std::holds_alternative<core::ReplyDelivered>(e.body) &&
              !std::holds_alternative<core::ReplyFailed>(e.body)) {
            reject(txn, d, "event: " + std::string(e.name()) + " does not belong on " + kQueue);
            continue;
          }
          if (storage::apply_delivery_outcome(txn, kQueue, e)) ++applied;
        }
        txn.commit();
        applied_ += applied;
      },
      [&] { db.drop(); });
}

}  // namespace appealhub::router
