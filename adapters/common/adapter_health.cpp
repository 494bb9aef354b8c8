#include "adapters/common/adapter_health.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <vector>

#include "storage/adapter_status.hpp"

namespace appealhub::adapters {
namespace {

std::mutex registry_mutex;
std::set<const AdapterHealth*>& registry() {
  static std::set<const AdapterHealth*> all;
  return all;
}

double seconds_since_epoch(AdapterHealth::Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string instance_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

// Prometheus metric names allow [a-zA-Z0-9_:].
std::string metric_word(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

}  // namespace

AdapterHealth::AdapterHealth(std::string adapter)
    : adapter_(std::move(adapter)), started_(Clock::now()) {
  state_.adapter = adapter_;
  const std::lock_guard lock(registry_mutex);
  registry().insert(this);
}

AdapterHealth::~AdapterHealth() {
  const std::lock_guard lock(registry_mutex);
  registry().erase(this);
}

void AdapterHealth::add(const std::string& counter, std::uint64_t n) {
  const std::lock_guard lock(mutex_);
  state_.counters[counter] += n;
}

std::uint64_t AdapterHealth::count(const std::string& counter) const {
  const std::lock_guard lock(mutex_);
  const auto it = state_.counters.find(counter);
  return it == state_.counters.end() ? 0 : it->second;
}

void AdapterHealth::success(bool caught_up) {
  const std::lock_guard lock(mutex_);
  state_.last_success = Clock::now();
  if (caught_up) state_.caught_up_at = state_.last_success;
}

void AdapterHealth::caught_up() {
  const std::lock_guard lock(mutex_);
  state_.caught_up_at = Clock::now();
}

void AdapterHealth::failure(const std::string& error) {
  const std::lock_guard lock(mutex_);
  state_.last_error = error;
  state_.last_error_at = Clock::now();
  ++state_.counters["errors"];
}

AdapterHealth::Snapshot AdapterHealth::snapshot() const {
  const std::lock_guard lock(mutex_);
  Snapshot s = state_;
  const auto since = s.caught_up_at.value_or(started_);
  s.lag_seconds = std::max(0.0, std::chrono::duration<double>(Clock::now() - since).count());
  return s;
}

void AdapterHealth::store(pqxx::connection& connection) const {
  const auto s = snapshot();
  nlohmann::json counters = nlohmann::json::object();
  for (const auto& [k, v] : s.counters) counters[k] = v;
  const auto epoch = [](const std::optional<Clock::time_point>& t) -> std::optional<double> {
    if (!t) return std::nullopt;
    return seconds_since_epoch(*t);
  };
  pqxx::work txn(connection);
  storage::write_adapter_status(
      txn, {s.adapter, instance_name(), epoch(s.last_success), epoch(s.last_error_at),
            epoch(s.caught_up_at), s.last_error, s.lag_seconds, counters.dump()});
  txn.commit();
}

void adapter_metrics(core::MetricsText& out) {
  std::vector<AdapterHealth::Snapshot> all;
  {
    const std::lock_guard lock(registry_mutex);
    for (const auto* h : registry()) all.push_back(h->snapshot());
  }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.adapter < b.adapter; });
  using Type = core::MetricsText::Type;
  for (const auto& s : all) {
    const core::MetricsText::Labels labels{{"adapter", s.adapter}};
    for (const auto& [name, value] : s.counters) {
      const auto metric = "appealhub_adapter_" + metric_word(name) + "_total";
      out.declare(metric, Type::counter, "Adapter events counted as " + name + ".");
      out.add(metric, labels, static_cast<double>(value));
    }
    out.declare("appealhub_adapter_lag_seconds", Type::gauge,
                "Time since a channel poller last reached the end of its feed.");
    out.add("appealhub_adapter_lag_seconds", labels, std::floor(s.lag_seconds));
    out.declare("appealhub_adapter_last_success_timestamp_seconds", Type::gauge,
                "When this process's adapter last went through (0: not yet).");
    out.add("appealhub_adapter_last_success_timestamp_seconds", labels,
            s.last_success ? static_cast<double>(seconds_since_epoch(*s.last_success)) : 0.0);
  }
}

}  // namespace appealhub::adapters
