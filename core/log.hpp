#pragma once
// Structured logs: one JSON object per line ({"ts","level","part","msg",…fields}).
//
// Core does no I/O itself: records go to a sink the executable installs (stderr by default, set
// by the app). Never pass personal data (phone numbers, names) or secrets as fields; use
// redact_uri() for connection strings.

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace appealhub::core {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

using LogField = std::pair<std::string_view, std::string>;
using LogSink = std::function<void(std::string_view line)>;

void set_log_sink(LogSink sink);
void set_log_level(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);

void log(LogLevel level, std::string_view part, std::string_view message,
         std::initializer_list<LogField> fields = {});

inline void log_debug(std::string_view part, std::string_view message,
                      std::initializer_list<LogField> fields = {}) {
  log(LogLevel::debug, part, message, fields);
}
inline void log_info(std::string_view part, std::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  log(LogLevel::info, part, message, fields);
}
inline void log_warn(std::string_view part, std::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  log(LogLevel::warn, part, message, fields);
}
inline void log_error(std::string_view part, std::string_view message,
                      std::initializer_list<LogField> fields = {}) {
  log(LogLevel::error, part, message, fields);
}

// "amqp://user:secret@host/" → "amqp://user:***@host/"; also hides password=… in key=value strings.
std::string redact_uri(std::string_view uri);

}  // namespace appealhub::core
