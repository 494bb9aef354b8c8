#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace appealhub::core {
namespace {

std::mutex sink_mutex;
LogSink& sink() {
  static LogSink instance;
  return instance;
}
std::atomic<int> min_level{static_cast<int>(LogLevel::info)};

constexpr std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

}  // namespace

void set_log_sink(LogSink new_sink) {
  const std::lock_guard lock(sink_mutex);
  sink() = std::move(new_sink);
}

void set_log_level(LogLevel level) {
  min_level = static_cast<int>(level);
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (level_name(level) == text) return level;
  }
  return std::nullopt;
}

void log(LogLevel level, std::string_view part, std::string_view message,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) return;
  nlohmann::json record;
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  record["ts"] = format_rfc3339(Timestamp{now, 480});
  record["level"] = level_name(level);
  record["part"] = part;
  record["msg"] = message;
  for (const auto& [key, value] : fields) record[std::string(key)] = value;
  const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::lock_guard lock(sink_mutex);
  if (sink()) sink()(line);
}

std::string redact_uri(std::string_view uri) {
  std::string out(uri);
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  if (const auto pw = out.find("password="); pw != std::string::npos) {
    const auto end = out.find_first_of(" &", pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

}  // namespace appealhub::core
