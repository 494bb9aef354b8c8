#pragma once
// A statement whose values travel as parameters (storage's own helper, not part of its API):
// large texts (appeals, event data, message bodies) never pass through PostgreSQL's SQL parser,
// which cost more than executing the multi-row inserts of the intake.
//
// Pieces are appended in call order; chained calls (`s.sql("(").param(a).sql(",")`) are sequenced
// left to right. A NULL is written as SQL (`sql("NULL")`), never as a parameter.

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace appealhub::storage {

// The statuses of a ticket still waiting for its answer (core/ticket.hpp), as an SQL list.
inline constexpr const char* kOpenStatuses =
    "('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened')";

class Statement {
 public:
  explicit Statement(std::string_view start = {}) : sql_(start) {}

  Statement& sql(std::string_view text) {
    sql_ += text;
    return *this;
  }
  // `$n` (with `cast`, e.g. "::jsonb", appended) for `value`.
  Statement& param(std::string value, std::string_view cast = {}) {
    values_.push_back(std::move(value));
    sql_ += '$';
    sql_ += std::to_string(values_.size());
    sql_ += cast;
    return *this;
  }
  // One `$n::text[]` parameter holding `items`.
  Statement& text_array(const std::vector<std::string>& items);

  bool empty() const { return values_.empty(); }
  std::size_t parameters() const { return values_.size(); }
  const std::string& text() const { return sql_; }

  pqxx::result exec(pqxx::transaction_base& txn) const {
    return txn.exec_params(sql_, pqxx::prepare::make_dynamic_params(values_));
  }

 private:
  std::string sql_;
  std::vector<std::string> values_;
};

// Rows held as one PostgreSQL array literal per column, read back with
// `unnest($1::bigint[], $2::text[], …) WITH ORDINALITY AS v(…, n)` (alias v unless named): a few
// parameters whatever the number of rows, so neither parsing nor planning grows with the batch. A
// column whose values are arrays themselves is passed as text literals and cast per row.
class ColumnArrays {
 public:
  // One element type per column: "text", "bigint", "timestamptz", "boolean", ….
  explicit ColumnArrays(std::vector<std::string_view> types)
      : types_(std::move(types)), columns_(types_.size(), "{") {}

  void add(std::size_t column, std::string_view value) {
    auto& out = start(column);
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  void add_null(std::size_t column) { start(column) += "NULL"; }

  // Appends `unnest(…) WITH ORDINALITY AS v(<names>, n)` to `s`, the arrays as its parameters;
  // `ORDER BY v.n` keeps the rows in the order they were added.
  void unnest_into(Statement& s, std::string_view names, std::string_view alias = "v") && {
    s.sql("unnest(");
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      columns_[k] += '}';
      s.sql(k ? "," : "").param(std::move(columns_[k]), "::" + std::string(types_[k]) + "[]");
    }
    s.sql(") WITH ORDINALITY AS ").sql(alias).sql("(").sql(names).sql(", n)");
  }

  // The single column's literal (a text[] value of its own).
  std::string literal() && { return std::move(columns_.at(0)) + '}'; }

 private:
  std::string& start(std::size_t column) {
    auto& out = columns_.at(column);
    if (out.size() > 1) out += ',';
    return out;
  }
  std::vector<std::string_view> types_;
  std::vector<std::string> columns_;
};

// `items` (or what `project` takes from each) as one PostgreSQL text[] literal, for a single
// parameter however many there are.
template <class Range, class Project = std::identity>
std::string text_array_literal(const Range& items, Project project = {}) {
  ColumnArrays one({"text"});
  for (const auto& item : items) one.add(0, std::invoke(project, item));
  return std::move(one).literal();
}

inline Statement& Statement::text_array(const std::vector<std::string>& items) {
  return param(text_array_literal(items), "::text[]");
}

// A text[] column as read back ({a,"b c"}); NULL elements are left out.
inline std::vector<std::string> text_array_of(const pqxx::field& field) {
  std::vector<std::string> out;
  auto parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value) out.push_back(item.second);
  }
  return out;
}

// A statement takes at most 65,535 parameters; multi-row inserts stop adding rows well before.
inline constexpr std::size_t kMaxParameters = 60000;

}  // namespace appealhub::storage
