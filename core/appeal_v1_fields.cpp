#include "core/appeal_v1_fields.hpp"

#include <cmath>
#include <limits>

#include "core/codec.hpp"
#include "core/text.hpp"

namespace appealhub::core::v1 {
namespace {

// The message's envelope, `data` and `appeal` objects hold channel_meta.
constexpr int kChannelMetaDepth = kMaxNestingDepth - 3;

enum class MetaProblem { none, invalid_utf8, too_deep };

MetaProblem check_channel_meta(const nlohmann::json& value, int depth_left) {
  if (value.is_string()) {
    return is_valid_utf8(value.get_ref<const std::string&>()) ? MetaProblem::none
                                                              : MetaProblem::invalid_utf8;
  }
  if (!value.is_structured()) return MetaProblem::none;
  if (depth_left == 0) return MetaProblem::too_deep;
  for (const auto& [key, member] : value.items()) {
    if (value.is_object() && !is_valid_utf8(key)) return MetaProblem::invalid_utf8;
    if (const auto problem = check_channel_meta(member, depth_left - 1);
        problem != MetaProblem::none) {
      return problem;
    }
  }
  return MetaProblem::none;
}

// An integer that fits a double exactly: beyond 2^53, doubles skip integers.
constexpr double kExactLimit = 9007199254740992.0;

}  // namespace

bool Text::read(const Json& value, const FieldPath& path, ErrorList& errors,
                std::string& out) const {
  if (!value.is_string()) return fail(path, errors, type_rule);
  out = value.get_ref<const std::string&>();
  return errors.check(path, broken(out));
}

bool Time::read(const Json& value, const FieldPath& path, ErrorList& errors, Timestamp& out) const {
  if (!value.is_string()) return fail(path, errors, type_rule);
  const auto parsed = parse_rfc3339(value.get_ref<const std::string&>());
  if (!parsed) return fail(path, errors, kNotTime);
  out = *parsed;
  return true;
}

Json Time::write(const Timestamp& value) const {
  return format_rfc3339(value);
}

bool Flag::read(const Json& value, const FieldPath& path, ErrorList& errors, bool& out) const {
  if (!value.is_boolean()) return fail(path, errors, kMustBeBoolean);
  out = value.get<bool>();
  return true;
}

std::optional<std::int64_t> read_integer(const Json& value, const FieldPath& path,
                                         ErrorList& errors, std::string_view type_rule,
                                         bool fits_int) {
  std::optional<std::int64_t> n;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      n = static_cast<std::int64_t>(u);
    }
  } else if (value.is_number_integer()) {
    n = value.get<std::int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || std::floor(d) != d) {
      fail(path, errors, type_rule);
      return std::nullopt;
    }
    if (std::fabs(d) <= kExactLimit) n = static_cast<std::int64_t>(d);
  } else {
    fail(path, errors, type_rule);
    return std::nullopt;
  }
  if (n && fits_int &&
      (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max())) {
    n.reset();
  }
  if (!n) fail(path, errors, kOutOfRange);
  return n;
}

bool Meta::read(const Json& value, const FieldPath& path, ErrorList& errors,
                nlohmann::json& out) const {
  if (!value.is_object()) return fail(path, errors, kMustBeObject);
  out = nlohmann::json(value);
  return true;
}

Json Meta::write(const nlohmann::json& value) const {
  return value.is_object() ? Json(value) : Json::object();
}

bool Meta::check(const nlohmann::json& value, const FieldPath& path, ErrorList& errors) const {
  if (!value.is_object()) return fail(path, errors, kMustBeObject);
  switch (check_channel_meta(value, kChannelMetaDepth)) {
    case MetaProblem::none:
      return true;
    case MetaProblem::invalid_utf8:
      return fail(path, errors, "not valid UTF-8");
    case MetaProblem::too_deep:
      return fail(path, errors,
                  "nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
  return true;
}

bool too_many_items(std::size_t max_items, const FieldPath& path, ErrorList& errors) {
  return fail(path, errors, "must have at most " + std::to_string(max_items) + " items");
}

}  // namespace appealhub::core::v1
