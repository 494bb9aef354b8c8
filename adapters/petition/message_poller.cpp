#include "adapters/petition/message_poller.hpp"

#include <pqxx/pqxx>

#include "adapters/common/channel_api.hpp"
#include "adapters/common/channel_lease.hpp"
#include "adapters/common/intake_publisher.hpp"
#include "adapters/petition/message.hpp"
#include "adapters/petition/petition_api.hpp"
#include "core/log.hpp"
#include "storage/channel_cursors.hpp"

namespace appealhub::adapters::petition {
namespace {

constexpr const char* kPosition = "updated_since";

}  // namespace

struct PetitionPoller::State {
  PetitionPollerOptions options;
  storage::DatabaseConfig database;
  PetitionApi api;
  IntakePublisher publisher;
  ChannelLease lease;
  AdapterHealth health{"petition"};
  storage::KeptConnection connection;
  core::Timestamp initial;

  State(PetitionPollerOptions o, bus::BrokerConfig broker, storage::DatabaseConfig db)
      : options(std::move(o)),
        database(db),
        api(client_options(options.api, "appealhub"), options.api.app_id, options.secret),
        publisher(std::move(broker)),
        lease(db, "appealhub.poller.petition"),
        connection(db, "petition poller") {
    const auto start = core::parse_rfc3339(options.api.initial_updated_since);
    if (!start) {
      throw std::invalid_argument("petition initial_updated_since '" +
                                  options.api.initial_updated_since + "' is not an RFC 3339 time");
    }
    initial = *start;
  }

  pqxx::connection& db() { return connection.get(); }

  std::optional<core::Timestamp> load_position() {
    pqxx::work txn(db());
    const auto text = storage::load_cursor(txn, std::string(kChannel), kPosition);
    if (!text) return std::nullopt;
    const auto at = core::parse_rfc3339(*text);
    if (!at) throw std::runtime_error("stored petition position '" + *text + "' is unreadable");
    return at;
  }

  void save_position(const core::Timestamp& at) {
    pqxx::work txn(db());
    storage::save_cursor(txn, std::string(kChannel), kPosition, core::format_rfc3339(at));
    txn.commit();
  }

  bool pass(const std::atomic<bool>* stop) {
    if (!lease.hold()) {
      connection.release();  // on standby: no connection needed until the lease is ours
      return false;
    }
    auto position = load_position();
    core::Timestamp since = initial;
    if (position) {
      since = *position;
      since.utc -= std::chrono::duration_cast<std::chrono::milliseconds>(options.api.overlap);
    }
    const std::string since_text = core::format_rfc3339(since);
    std::string token;
    for (;;) {
      if (!lease.hold()) return true;  // lost on the way (checked before each page): stop here
      const auto page = api.messages(since_text, options.api.page_size, token);
      health.add("pages");
      std::vector<core::Event> events;
      std::optional<core::Timestamp> newest;
      for (const auto& m : page.messages) {
        health.add("messages");
        auto read = message_to_events(m);
        for (const auto& problem : read.problems) {
          health.add("parts_refused");
          core::log_warn("petition", "part of a message left out",
                         {{"message", read.msg_id}, {"reason", problem}});
        }
        if (!read.refused.empty()) {
          health.add("messages_refused");
          health.failure(read.refused);
          core::log_warn("petition", "message refused",
                         {{"message", read.msg_id}, {"reason", read.refused}});
        }
        for (auto& e : read.events) events.push_back(std::move(e));
        if (read.updated_at && (!newest || *newest < *read.updated_at)) newest = read.updated_at;
      }
      const auto report = publisher.publish_all(events, options.confirm_timeout);
      health.add("events_published", report.confirmed);
      health.add("events_already_confirmed", report.skipped);
      if (!report.all_confirmed) {
        throw std::runtime_error("petition messages page: " + report.problem +
                                 "; the position stays");
      }
      lease.log_taken("messages_page", since_text + "|" + token);
      if (newest && (!position || *position < *newest)) {
        save_position(*newest);
        position = newest;
      }
      if (page.next_page_token.empty() || (stop && stop->load())) break;
      if (page.next_page_token == token) {
        core::log_warn("petition", "the same page token again; ending the pass");
        break;
      }
      token = page.next_page_token;
    }
    health.success(true);
    return true;
  }
};

PetitionPoller::PetitionPoller(PetitionPollerOptions options, bus::BrokerConfig broker,
                               storage::DatabaseConfig database)
    : state_(std::make_unique<State>(std::move(options), std::move(broker), std::move(database))) {}

PetitionPoller::~PetitionPoller() = default;

bool PetitionPoller::run_once(const std::atomic<bool>* stop) {
  try {
    return state_->pass(stop);
  } catch (const std::exception& e) {
    state_->connection.drop_if_broken(e);
    throw;
  }
}

void PetitionPoller::run(const std::atomic<bool>& stop) {
  auto& s = *state_;
  run_polls(
      stop, "petition", poll_schedule(s.options.api, s.options.api.poll_interval), s.health,
      [&] { return run_once(&stop); }, [&] { s.publisher.poll(); },
      [&] { s.health.store(s.db()); });
}

AdapterHealth& PetitionPoller::health() {
  return state_->health;
}

}  // namespace appealhub::adapters::petition
