#include "adapters/mailbox/letter_poller.hpp"

#include <pqxx/pqxx>

#include "adapters/common/channel_api.hpp"
#include "adapters/common/channel_lease.hpp"
#include "adapters/common/intake_publisher.hpp"
#include "adapters/mailbox/letter.hpp"
#include "adapters/mailbox/mailbox_api.hpp"
#include "core/log.hpp"
#include "storage/channel_cursors.hpp"

namespace appealhub::adapters::mailbox {
namespace {

core::Timestamp now() {
  return {std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()),
          core::kChinaOffsetMinutes};
}

}  // namespace

struct MailboxPoller::State {
  MailboxPollerOptions options;
  storage::DatabaseConfig database;
  MailboxApi api;
  IntakePublisher publisher;
  ChannelLease lease;
  AdapterHealth health{"mailbox"};
  storage::KeptConnection connection;

  State(MailboxPollerOptions o, bus::BrokerConfig broker, storage::DatabaseConfig db)
      : options(std::move(o)),
        database(db),
        api(client_options(options.api, "appealhub"), options.token),
        publisher(std::move(broker)),
        lease(db, "appealhub.poller.mailbox"),
        connection(std::move(db), "mailbox poller") {}

  pqxx::connection& db() { return connection.get(); }

  std::string load(const std::string& name) {
    pqxx::work txn(db());
    return storage::load_cursor(txn, std::string(kChannel), name).value_or("");
  }

  void save(const std::string& name, const std::string& value) {
    pqxx::work txn(db());
    storage::save_cursor(txn, std::string(kChannel), name, value);
    txn.commit();
  }

  // Publishes a page's events; throws when the broker did not confirm them all (the cursor then
  // stays where it was).
  void publish(const std::vector<core::Event>& events, const std::string& what) {
    const auto report = publisher.publish_all(events, options.confirm_timeout);
    health.add("events_published", report.confirmed);
    health.add("events_already_confirmed", report.skipped);
    if (!report.all_confirmed) {
      throw std::runtime_error("mailbox " + what + ": " + report.problem + "; the cursor stays");
    }
  }

  // Pages one feed to its end; `convert` turns an item into an event or a refusal. False when
  // the lease was lost on the way (checked before each page): the pass stops there.
  template <class Convert>
  bool page_through(const std::string& feed, const std::atomic<bool>* stop, Convert convert) {
    std::string cursor = load(feed);
    for (;;) {
      if (!lease.hold()) return false;
      const auto page = feed == "letters" ? api.letters(cursor, options.api.page_size)
                                          : api.ratings(cursor, options.api.page_size);
      health.add(feed + "_pages");
      std::vector<core::Event> events;
      for (const auto& item : page.items) convert(item, events);
      publish(events, feed + " page");
      lease.log_taken(feed + "_page", cursor);
      if (!page.next_cursor.empty() && page.next_cursor != cursor) {
        save(feed, page.next_cursor);
      } else if (page.has_more) {
        core::log_warn("mailbox", "has_more without a new cursor; ending the pass",
                       {{"feed", feed}});
        return true;
      }
      cursor = page.next_cursor.empty() ? cursor : page.next_cursor;
      if (!page.has_more || (stop && stop->load())) return true;
    }
  }

  bool pass(const std::atomic<bool>* stop) {
    if (!lease.hold()) {
      connection.release();  // on standby: no connection needed until the lease is ours
      return false;
    }
    const bool kept = page_through(
        "letters", stop, [&](const nlohmann::json& item, std::vector<core::Event>& out) {
      health.add("letters");
      auto outcome = letter_to_event(item, now());
      if (!outcome.refused.empty()) {
        health.add("letters_refused");
        health.failure(outcome.refused);
        core::log_warn("mailbox", "letter refused",
                       {{"letter", outcome.letter_id}, {"reason", outcome.refused}});
      } else if (outcome.event) {
        if (outcome.received) out.push_back(std::move(*outcome.received));
        health.add(std::string("events_") + std::string(outcome.event->name()).substr(7));
        out.push_back(std::move(*outcome.event));
      } else {
        health.add("letters_replied");
      }
    });
    if (!kept || (stop && stop->load())) return true;
    if (!page_through("ratings", stop, [&](const nlohmann::json& item, std::vector<core::Event>& out) {
      health.add("ratings");
      auto outcome = rating_to_event(item);
      if (!outcome.refused.empty()) {
        health.add("ratings_refused");
        health.failure(outcome.refused);
        core::log_warn("mailbox", "rating refused", {{"reason", outcome.refused}});
      } else {
        out.push_back(std::move(*outcome.event));
      }
    })) {
      return true;
    }
    health.success(true);
    return true;
  }
};

MailboxPoller::MailboxPoller(MailboxPollerOptions options, bus::BrokerConfig broker,
                             storage::DatabaseConfig database)
    : state_(std::make_unique<State>(std::move(options), std::move(broker), std::move(database))) {}

MailboxPoller::~MailboxPoller() = default;

bool MailboxPoller::run_once(const std::atomic<bool>* stop) {
  try {
    return state_->pass(stop);
  } catch (const std::exception& e) {
    state_->connection.drop_if_broken(e);
    throw;
  }
}

void MailboxPoller::run(const std::atomic<bool>& stop) {
  auto& s = *state_;
  run_polls(
      stop, "mailbox", poll_schedule(s.options.api, s.options.api.poll_interval), s.health,
      [&] { return run_once(&stop); }, [&] { s.publisher.poll(); },
      [&] { s.health.store(s.db()); });
}

AdapterHealth& MailboxPoller::health() {
  return state_->health;
}

}  // namespace appealhub::adapters::mailbox
