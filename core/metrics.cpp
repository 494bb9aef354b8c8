#include "core/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace appealhub::core {
namespace {

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

const char* type_name(MetricsText::Type type) {
  switch (type) {
    case MetricsText::Type::counter:
      return "counter";
    case MetricsText::Type::gauge:
      return "gauge";
    case MetricsText::Type::histogram:
      return "histogram";
  }
  return "untyped";
}

// \ and newline escaped, and " too in a label value (HELP text keeps it).
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\' || c == '\n' || (quote && c == '"')) out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

}  // namespace

std::string metric_label_value(std::string_view value) { return escaped(value, true); }

std::string metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return {buffer, result.ptr};
}

void MetricsText::declare(const std::string& name, Type type, const std::string& help) {
  if (!valid_name(name)) throw std::invalid_argument("metric name '" + name + "' is not valid");
  if (families_.count(name) != 0) return;
  families_.emplace(name, Family{type, help, {}, {}});
  order_.push_back(name);
}

void MetricsText::add(const std::string& name, const Labels& labels, double value,
                      std::string_view suffix) {
  const auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metric '" + name + "' is not declared");
  std::string series = name;
  series += suffix;
  if (!labels.empty()) {
    series += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) series += ',';
      series += labels[i].first + "=\"" + metric_label_value(labels[i].second) + '"';
    }
    series += '}';
  }
  auto& family = it->second;
  if (!family.series.insert(series).second) return;
  family.lines.push_back(series + ' ' + metric_value(value));
}

std::string MetricsText::text() const {
  std::string out;
  for (const auto& name : order_) {
    const auto& family = families_.at(name);
    out += "# HELP " + name + ' ' + escaped(family.help, false) + '\n';
    out += "# TYPE " + name + ' ' + type_name(family.type) + '\n';
    for (const auto& line : family.lines) out += line + '\n';
  }
  return out;
}

}  // namespace appealhub::core
