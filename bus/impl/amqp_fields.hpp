// Conversions between rabbitmq-c's field tables and plain C++ values.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::bus::impl {

// Borrowed view of a std::string as amqp_bytes_t (valid while the string lives, unchanged).
inline amqp_bytes_t bytes_of(std::string_view s) {
  amqp_bytes_t b;
  b.len = s.size();
  b.bytes = const_cast<char*>(s.data());
  return b;
}

inline std::string string_of(amqp_bytes_t b) {
  return b.len == 0 ? std::string() : std::string(static_cast<const char*>(b.bytes), b.len);
}

// A field value as text: strings as they are, numbers in decimal, booleans true/false, tables and
// arrays as compact JSON.
std::string field_to_text(const amqp_field_value_t& value);

// Integer field kinds as int64 (unsigned 64-bit values above INT64_MAX give nullopt).
std::optional<std::int64_t> field_to_int(const amqp_field_value_t& value);

// Builds an amqp_table_t whose entries borrow the strings given to it: keep the builder (and the
// strings) alive while the table is in use.
class TableBuilder {
 public:
  TableBuilder& text(std::string_view key, std::string_view value);
  TableBuilder& i64(std::string_view key, std::int64_t value);
  TableBuilder& boolean(std::string_view key, bool value);
  TableBuilder& table(std::string_view key, const amqp_table_t& nested);
  TableBuilder& text_array(std::string_view key, const std::vector<std::string>& values);
  amqp_table_t table() const;
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<amqp_table_entry_t> entries_;
  std::deque<std::vector<amqp_field_value_t>> arrays_;  // element storage of text_array()
};

}  // namespace appealhub::bus::impl
