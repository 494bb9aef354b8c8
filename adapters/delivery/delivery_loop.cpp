#include "adapters/delivery/delivery_loop.hpp"

#include <pqxx/pqxx>
#include <thread>

#include "core/log.hpp"
#include "core/pause.hpp"

namespace appealhub::adapters::delivery {

DeliveryLoop::DeliveryLoop(storage::DatabaseConfig database, DeliveryLoopOptions options,
                           storage::ReplyLedger ledger, std::unique_ptr<ReplySender> sender)
    : database_(std::move(database)),
      options_(std::move(options)),
      ledger_(std::move(ledger)),
      sender_(std::move(sender)),
      health_(options_.channel + "_delivery") {}

void DeliveryLoop::note(const storage::DeliveryAttempt& attempt) {
  using Outcome = storage::DeliveryAttempt::Outcome;
  health_.add("attempts");
  if (attempt.alarm) {
    health_.add("alarms");
    health_.failure(attempt.reason);
    store_health(true);
  } else if (attempt.outcome == Outcome::delivered) {
    health_.add("delivered");
    health_.success(false);
  } else if (attempt.outcome == Outcome::retry) {
    health_.add("retried");
    health_.failure(attempt.reason.empty() ? attempt.code : attempt.reason);
  } else {
    health_.add("failed");  // the reply's fault, not the channel's: not an error of the adapter
  }
}

void DeliveryLoop::store_health(bool now) {
  const auto t = std::chrono::steady_clock::now();
  if (!now && t - health_stored_ < std::chrono::seconds(1)) return;
  try {
    health_.store(*db_);
    health_stored_ = t;
  } catch (const std::exception& e) {
    core::log_warn("delivery", "cannot store the sender's health",
                   {{"channel", options_.channel}, {"error", e.what()}});
  }
}

DeliveryLoopStats DeliveryLoop::stats() const {
  return {attempts_.load(), delivered_.load(), retried_.load(), failed_.load(), lost_.load()};
}

std::size_t DeliveryLoop::deliver_once(const std::atomic<bool>& stop) {
  if (!db_ || !db_->is_open()) db_ = storage::connect(database_);
  std::vector<storage::ClaimedReply> claimed;
  {
    pqxx::work txn(*db_);
    claimed = ledger_.claim(txn, options_.channel, options_.batch_size);
    txn.commit();
  }
  if (claimed.size() < static_cast<std::size_t>(options_.batch_size)) health_.caught_up();
  std::size_t handled = 0;
  for (const auto& reply : claimed) {
    // What is claimed and not sent is taken again after the lease: stopping here loses nothing.
    if (stop.load()) break;
    const auto attempt = sender_->send(reply.request);
    pqxx::work txn(*db_);
    const bool held = ledger_.record(txn, reply, attempt);
    txn.commit();
    ++attempts_;
    ++handled;
    note(attempt);
    if (!held) {
      ++lost_;
      continue;
    }
    using Outcome = storage::DeliveryAttempt::Outcome;
    if (attempt.outcome == Outcome::delivered) {
      ++delivered_;
    } else if (attempt.outcome == Outcome::retry) {
      ++retried_;
      // A rate limit is the channel's, not the reply's: the rest of the batch waits too.
      if (attempt.status_code == 429 && attempt.retry_after) {
        const auto until =
            std::chrono::steady_clock::now() +
            std::min<std::chrono::milliseconds>(*attempt.retry_after, std::chrono::seconds(30));
        while (!stop.load() && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    } else {
      ++failed_;
      core::log_warn("delivery", "a reply failed for good",
                     {{"channel", options_.channel},
                      {"reply_id", reply.request.reply_id},
                      {"ticket_id", std::to_string(reply.request.ticket_id)},
                      {"reason", attempt.reason}});
    }
  }
  store_health(false);
  return handled;
}

void DeliveryLoop::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    std::size_t handled = 0;
    try {
      handled = deliver_once(stop);
    } catch (const std::exception& e) {
      core::log_error("delivery", "sender loop failed; trying again",
                      {{"channel", options_.channel}, {"error", e.what()}});
      db_.reset();
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (handled == 0) {
      core::pause_unless_stopped(stop, options_.poll_interval);
    }
  }
}

}  // namespace appealhub::adapters::delivery
