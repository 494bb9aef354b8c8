#pragma once
// The 12328 export folder into the bus: where a 12328 file becomes `intake.hotline12328` events.
//
// Contract: a file is taken only when its marker exists and its checks pass; its events are
// published with confirms, and only when the broker confirmed every one is the file moved to
// processed/ (with an error report for refused rows) and its sequence stored in channel_cursors.
// A crash before the move reads the file again later: its event ids are the same, so intake
// de-duplicates. A damaged file goes to rejected/ whole, with its report. One process at a time
// works the folder (a PostgreSQL advisory lock held as a lease).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/hotline12328/hotline12328_options.hpp"
#include "bus/broker_config.hpp"
#include "storage/database.hpp"

namespace appealhub::adapters::hotline12328 {

struct ExportIntakeStats {
  std::uint64_t files_taken = 0, files_rejected = 0, events_published = 0, rows_refused = 0;
  std::uint64_t last_sequence = 0;
  std::string last_error;
};

class ExportIntake {
 public:
  ExportIntake(ExportIntakeOptions options, bus::BrokerConfig broker,
               storage::DatabaseConfig database);
  ~ExportIntake();

  // One pass over the ready files, if this process holds the lease; returns the files handled.
  std::size_t run_once();
  void run(const std::atomic<bool>& stop);
  ExportIntakeStats stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace appealhub::adapters::hotline12328
