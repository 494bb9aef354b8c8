#include "adapters/hotline12328/export_intake.hpp"

#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "adapters/common/channel_lease.hpp"
#include "adapters/hotline12328/export_file.hpp"
#include "adapters/hotline12328/export_row.hpp"
#include "adapters/hotline12328/file_lifecycle.hpp"
#include "bus/publisher.hpp"
#include "core/codec.hpp"
#include "core/deadline.hpp"
#include "core/log.hpp"
#include "storage/channel_cursors.hpp"
#include "storage/hotline_results.hpp"

namespace appealhub::adapters::hotline12328 {
namespace {

// Events mapped and held at a time while a file is published (memory stays flat with file size).
constexpr std::size_t kChunkEvents = 500;

}  // namespace

struct ExportIntake::State {
  State(ExportIntakeOptions o, bus::BrokerConfig b, storage::DatabaseConfig d)
      : options(std::move(o)),
        broker(std::move(b)),
        lease(d, "appealhub.poller.hotline12328"),
        connection(std::move(d), "hotline12328 intake") {}

  ExportIntakeOptions options;
  bus::BrokerConfig broker;
  ChannelLease lease;  // verified before each file: one process takes files at a time
  storage::KeptConnection connection;
  std::unique_ptr<bus::ConfirmedPublisher> publisher;
  mutable std::mutex mutex;
  ExportIntakeStats stats;

  // Takes a checked file's rows in bounded chunks and publishes them with confirms (the
  // publisher's window bounds what is in flight). True when the broker confirmed every event and
  // the file still reads as pass 1 read it; `errors` receives the refused rows.
  bool publish_rows(const std::filesystem::path& csv, const Marker& marker, std::size_t& published,
                    std::vector<RowError>& errors) {
    if (!publisher) publisher = std::make_unique<bus::ConfirmedPublisher>(broker, 2000);
    auto confirmed = std::make_shared<std::size_t>(0);
    ExportRowStream rows(csv.string(), marker);
    std::vector<ExportedEvent> chunk;
    bool more = true;
    while (more) {
      more = rows.next(kChunkEvents, chunk, errors);
      for (const auto& e : chunk) {
        bus::OutgoingMessage m;
        m.exchange = "appeals";
        m.routing_key = "intake." + std::string(kChannel);
        m.body = core::encode_event(e.event);
        m.message_id = e.event.event_id;
        m.type = std::string(e.event.name());
        publisher->publish(std::move(m),
                           [confirmed](const bus::OutgoingMessage&, bus::PublishOutcome o) {
                             *confirmed += o == bus::PublishOutcome::confirmed;
                           });
        ++published;
      }
    }
    if (!rows.unchanged()) {
      throw std::runtime_error(csv.filename().string() + " changed after its checks passed");
    }
    return publisher->flush(std::chrono::seconds(60)) && *confirmed == published;
  }

  // Stored before the file moves (a crash in between stores them again, once): operators see
  // them in the API and the health report, not only in `.error.txt`.
  void record_refusals(const ExportFileResult& result) {
    std::vector<storage::HotlineRefusal> refusals;
    if (result.status == ExportStatus::rejected) {
      refusals.push_back({std::nullopt, result.reject_reason});
    } else {
      for (const auto& e : result.row_errors) refusals.push_back({e.line, e.message});
    }
    if (refusals.empty()) return;
    auto connection = storage::connect(database);
    pqxx::work txn(*connection);
    storage::record_hotline_refused(txn, result.file_name, refusals);
    txn.commit();
  }

  void save_sequence(std::uint32_t sequence) {
    pqxx::work txn(connection.get());
    const auto stored = storage::load_cursor(txn, std::string(kChannel), "export_sequence");
    // Files can arrive out of order: the cursor keeps the highest sequence taken.
    if (!stored || std::stoul(*stored) < sequence) {
      storage::save_cursor(txn, std::string(kChannel), "export_sequence", std::to_string(sequence));
    }
    txn.commit();
  }
};

ExportIntake::ExportIntake(ExportIntakeOptions options, bus::BrokerConfig broker,
                           storage::DatabaseConfig database)
    : state_(std::make_unique<State>(std::move(options), std::move(broker), std::move(database))) {}

ExportIntake::~ExportIntake() = default;

ExportIntakeStats ExportIntake::stats() const {
  const std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::size_t ExportIntake::run_once() {
  auto& s = *state_;
  if (!s.lease.hold()) {
    s.connection.release();  // on standby: no connection needed until the lease is ours
    return 0;
  }
  // A local folder the platform has not written to yet (the shared mount in production exists).
  std::filesystem::create_directories(s.options.export_dir);
  std::size_t handled = 0;
  for (const auto& csv : list_ready_files(s.options.export_dir)) {
    // The lease again before each file: a process whose session died (a database restart) must
    // not go on taking files while another one holds the lock.
    if (handled > 0 && !s.lease.hold()) break;
    // Pass 1: the whole-file checks; a damaged file is refused before any row is published.
    Marker marker;
    auto result = check_export_file(csv.string(), &marker);
    if (result.status == ExportStatus::not_ready) continue;
    if (result.status == ExportStatus::rejected) {
      s.record_refusals(result);
      move_to_rejected(csv, format_error_report(result));
      core::log_warn("hotline12328", "export file rejected",
                     {{"file", result.file_name}, {"reason", result.reject_reason}});
      const std::lock_guard lock(s.mutex);
      ++s.stats.files_rejected;
      ++handled;
      continue;
    }
    // Pass 2: decode, parse and publish chunk by chunk.
    std::size_t published = 0;
    if (!s.publish_rows(csv, marker, published, result.row_errors)) {
      // Left in place: the next pass reads it again and publishes the same ids.
      const std::lock_guard lock(s.mutex);
      s.stats.last_error = "broker did not confirm " + result.file_name;
      core::log_warn("hotline12328", "events not confirmed; the file stays",
                     {{"file", result.file_name}});
      break;
    }
    s.record_refusals(result);
    const auto today = core::china_date(
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!s.lease.hold()) break;  // lost while publishing: the holder takes the file (same ids)
    move_to_processed(csv, s.options.export_dir, today,
                      result.row_errors.empty() ? std::string() : format_error_report(result));
    const auto name = parse_export_file_name(result.file_name);
    s.lease.log_taken("export_file", result.file_name);
    if (name) s.save_sequence(name->sequence);
    core::log_info("hotline12328", "export file taken",
                   {{"file", result.file_name},
                    {"events", std::to_string(published)},
                    {"rows_refused", std::to_string(result.row_errors.size())}});
    const std::lock_guard lock(s.mutex);
    ++s.stats.files_taken;
    s.stats.events_published += published;
    s.stats.rows_refused += result.row_errors.size();
    if (name)
      s.stats.last_sequence = std::max<std::uint64_t>(s.stats.last_sequence, name->sequence);
    ++handled;
  }
  return handled;
}

void ExportIntake::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      run_once();
    } catch (const std::exception& e) {
      core::log_warn("hotline12328", "pass failed", {{"error", e.what()}});
      state_->connection.drop_if_broken(e);
      state_->publisher.reset();
      const std::lock_guard lock(state_->mutex);
      state_->stats.last_error = e.what();
    }
    const auto until = std::chrono::steady_clock::now() + state_->options.poll_interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      if (state_->publisher) state_->publisher->poll();  // heartbeats while idle
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace appealhub::adapters::hotline12328
