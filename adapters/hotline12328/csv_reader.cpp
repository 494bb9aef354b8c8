#include "adapters/hotline12328/csv_reader.hpp"

#include <algorithm>

namespace appealhub::adapters::hotline12328 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void CsvReader::start_record_if_needed() {
  if (in_record_) return;
  in_record_ = true;
  record_ = CsvRecord{};
  record_.line = line_;
}

void CsvReader::end_field() {
  if (field_quoted_) {  // CRLF inside a quoted field → LF
    std::string::size_type pos = 0;
    while ((pos = field_.find("\r\n", pos)) != std::string::npos) field_.erase(pos, 1);
  }
  record_.fields.push_back(std::move(field_));
  field_.clear();
  field_quoted_ = false;
  state_ = State::field_start;
}

void CsvReader::end_record(std::vector<CsvRecord>& out) {
  const bool quoted = field_quoted_;
  end_field();
  const bool blank =
      record_.fields.size() == 1 && record_.fields[0].empty() && !quoted && record_.error.empty();
  if (!blank) out.push_back(std::move(record_));
  record_ = CsvRecord{};
  in_record_ = false;
}

void CsvReader::feed(std::string_view text, std::vector<CsvRecord>& out) {
  for (const char c : text) {
    if (cr_pending_) {
      cr_pending_ = false;
      if (c == '\n') {
        end_record(out);
        ++line_;
        continue;
      }
      field_ += '\r';  // a lone CR outside quotes is kept as text
      if (state_ == State::field_start) state_ = State::unquoted;
    }
    switch (state_) {
      case State::field_start:
        start_record_if_needed();
        if (c == '"') {
          state_ = State::quoted;
          field_quoted_ = true;
          quote_line_ = line_;
        } else if (c == ',') {
          end_field();
        } else if (c == '\r') {
          cr_pending_ = true;
        } else if (c == '\n') {
          end_record(out);
          ++line_;
        } else {
          field_ += c;
          state_ = State::unquoted;
        }
        break;
      case State::unquoted:
        if (c == ',') {
          end_field();
        } else if (c == '\r') {
          cr_pending_ = true;
        } else if (c == '\n') {
          end_record(out);
          ++line_;
        } else {
          field_ += c;  // a quote inside an unquoted field is kept as text
        }
        break;
      case State::quoted:
        if (c == '"') {
          state_ = State::quote_in_quoted;
        } else {
          if (c == '\n') ++line_;
          field_ += c;
        }
        break;
      case State::quote_in_quoted:
        if (c == '"') {
          field_ += '"';
          state_ = State::quoted;
        } else if (c == ',') {
          end_field();
        } else if (c == '\r') {
          cr_pending_ = true;
          state_ = State::unquoted;
        } else if (c == '\n') {
          end_record(out);
          ++line_;
        } else {
          if (record_.error.empty()) {
            record_.error =
                "unexpected character after a closing quote on line " + std::to_string(line_);
          }
          field_ += c;
          state_ = State::unquoted;
        }
        break;
    }
  }
}

void CsvReader::finish(std::vector<CsvRecord>& out) {
  if (cr_pending_) {
    cr_pending_ = false;
    end_record(out);
    ++line_;
    return;
  }
  if (!in_record_) return;
  if (state_ == State::quoted) {
    record_.error =
        "unterminated quoted field (opened on line " + std::to_string(quote_line_) + ")";
  }
  end_record(out);
}

std::vector<CsvRecord> parse_csv(std::string_view text) {
  CsvReader reader;
  std::vector<CsvRecord> out;
  reader.feed(text, out);
  reader.finish(out);
  return out;
}

std::optional<ColumnMap> ColumnMap::from_header(const std::vector<std::string>& header,
                                                std::string* error) {
  ColumnMap map;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name(trim(header[i]));
    if (name.empty()) {
      if (error != nullptr) *error = "header column " + std::to_string(i + 1) + " has no name";
      return std::nullopt;
    }
    if (std::find(map.names_.begin(), map.names_.end(), name) != map.names_.end()) {
      if (error != nullptr) *error = "header column '" + name + "' appears twice";
      return std::nullopt;
    }
    map.names_.push_back(std::move(name));
  }
  return map;
}

std::optional<std::size_t> ColumnMap::index(std::string_view name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names_.begin());
}

std::string_view ColumnMap::get(const std::vector<std::string>& fields,
                                std::string_view name) const {
  const auto i = index(name);
  if (!i || *i >= fields.size()) return {};
  return fields[*i];
}

}  // namespace appealhub::adapters::hotline12328
