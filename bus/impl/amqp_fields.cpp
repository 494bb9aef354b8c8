#include "bus/impl/amqp_fields.hpp"

#include <cinttypes>
#include <cstdio>
#include <limits>

namespace appealhub::bus::impl {
namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_json(std::string& out, const amqp_field_value_t& v);

void append_json_table(std::string& out, const amqp_table_t& t) {
  out += '{';
  for (int i = 0; i < t.num_entries; ++i) {
    if (i) out += ',';
    append_json_string(out, string_of(t.entries[i].key));
    out += ':';
    append_json(out, t.entries[i].value);
  }
  out += '}';
}

void append_json(std::string& out, const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      append_json_string(out, string_of(v.value.bytes));
      return;
    case AMQP_FIELD_KIND_TABLE:
      append_json_table(out, v.value.table);
      return;
    case AMQP_FIELD_KIND_ARRAY:
      out += '[';
      for (int i = 0; i < v.value.array.num_entries; ++i) {
        if (i) out += ',';
        append_json(out, v.value.array.entries[i]);
      }
      out += ']';
      return;
    case AMQP_FIELD_KIND_VOID:
      out += "null";
      return;
    default:
      out += field_to_text(v);
  }
}

std::string decimal_text(const amqp_decimal_t& d) {
  std::string digits = std::to_string(d.value);
  if (d.decimals == 0) return digits;
  while (digits.size() <= d.decimals) digits.insert(0, "0");
  digits.insert(digits.size() - d.decimals, ".");
  return digits;
}

}  // namespace

std::string field_to_text(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      return string_of(v.value.bytes);
    case AMQP_FIELD_KIND_BOOLEAN:
      return v.value.boolean ? "true" : "false";
    case AMQP_FIELD_KIND_F32:
      return std::to_string(v.value.f32);
    case AMQP_FIELD_KIND_F64:
      return std::to_string(v.value.f64);
    case AMQP_FIELD_KIND_DECIMAL:
      return decimal_text(v.value.decimal);
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return std::to_string(v.value.u64);
    case AMQP_FIELD_KIND_VOID:
      return "";
    case AMQP_FIELD_KIND_TABLE: {
      std::string out;
      append_json_table(out, v.value.table);
      return out;
    }
    case AMQP_FIELD_KIND_ARRAY: {
      std::string out;
      append_json(out, v);
      return out;
    }
    default: {
      auto i = field_to_int(v);
      return i ? std::to_string(*i) : std::string();
    }
  }
}

std::optional<std::int64_t> field_to_int(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_I8:
      return v.value.i8;
    case AMQP_FIELD_KIND_U8:
      return v.value.u8;
    case AMQP_FIELD_KIND_I16:
      return v.value.i16;
    case AMQP_FIELD_KIND_U16:
      return v.value.u16;
    case AMQP_FIELD_KIND_I32:
      return v.value.i32;
    case AMQP_FIELD_KIND_U32:
      return v.value.u32;
    case AMQP_FIELD_KIND_I64:
      return v.value.i64;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      if (v.value.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(v.value.u64);
    default:
      return std::nullopt;
  }
}

TableBuilder& TableBuilder::text(std::string_view key, std::string_view value) {
  amqp_table_entry_t e{};
  e.key = bytes_of(key);
  e.value.kind = AMQP_FIELD_KIND_UTF8;
  e.value.value.bytes = bytes_of(value);
  entries_.push_back(e);
  return *this;
}

TableBuilder& TableBuilder::i64(std::string_view key, std::int64_t value) {
  amqp_table_entry_t e{};
  e.key = bytes_of(key);
  e.value.kind = AMQP_FIELD_KIND_I64;
  e.value.value.i64 = value;
  entries_.push_back(e);
  return *this;
}

TableBuilder& TableBuilder::boolean(std::string_view key, bool value) {
  amqp_table_entry_t e{};
  e.key = bytes_of(key);
  e.value.kind = AMQP_FIELD_KIND_BOOLEAN;
  e.value.value.boolean = value ? 1 : 0;
  entries_.push_back(e);
  return *this;
}

TableBuilder& TableBuilder::table(std::string_view key, const amqp_table_t& nested) {
  amqp_table_entry_t e{};
  e.key = bytes_of(key);
  e.value.kind = AMQP_FIELD_KIND_TABLE;
  e.value.value.table = nested;
  entries_.push_back(e);
  return *this;
}

TableBuilder& TableBuilder::text_array(std::string_view key,
                                       const std::vector<std::string>& values) {
  auto& elements = arrays_.emplace_back();
  for (const auto& v : values) {
    amqp_field_value_t f{};
    f.kind = AMQP_FIELD_KIND_UTF8;
    f.value.bytes = bytes_of(v);
    elements.push_back(f);
  }
  amqp_table_entry_t e{};
  e.key = bytes_of(key);
  e.value.kind = AMQP_FIELD_KIND_ARRAY;
  e.value.value.array.num_entries = static_cast<int>(elements.size());
  e.value.value.array.entries = elements.empty() ? nullptr : elements.data();
  entries_.push_back(e);
  return *this;
}

amqp_table_t TableBuilder::table() const {
  amqp_table_t t;
  t.num_entries = static_cast<int>(entries_.size());
  t.entries = entries_.empty() ? nullptr : const_cast<amqp_table_entry_t*>(entries_.data());
  return t;
}

}  // namespace appealhub::bus::impl
