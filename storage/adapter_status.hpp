#pragma once
// adapter_status: one row per channel adapter, written by the process that polls the channel
// (adapters/common/adapter_health) and read by /metrics and the health report, so each sees every
// process's adapters.

#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

// What a process knows of its adapter; instants in seconds since the epoch.
struct AdapterStatusUpdate {
  std::string adapter, instance;
  std::optional<double> last_success, last_error_at, caught_up_at;
  std::string last_error;
  double lag_seconds = 0;
  std::string counters_json = "{}";
};

// Upserts the adapter's row. A process that has neither succeeded nor failed yet (just
// restarted) keeps what the row knew: an alarm stays until a success clears it.
void write_adapter_status(pqxx::dbtransaction& txn, const AdapterStatusUpdate& update);

struct AdapterStatus {
  std::string adapter, instance, last_error;
  std::string last_error_at;  // "YYYY-MM-DD HH:MM:SS" China time, empty when none
  // The row's lag plus the time since it was written: how far behind the channel is now.
  double lag_seconds = 0;
  double last_success_age_seconds = -1;  // -1: never
  // The last error is newer than the last success and the row was written in the last 10
  // minutes (a stopped process's old row is not a current problem).
  bool failing = false;
  std::string counters_json;
};

std::vector<AdapterStatus> read_adapter_status(pqxx::dbtransaction& txn);

}  // namespace appealhub::storage
