#pragma once
// The online-petition platform's options (adapters/petition/), with their one set of defaults.
// Plain data on the standard library alone: config/ reads the "petition" section straight into
// it. An empty base_url: the poller is not running (the webhook works when app_id and the secret
// are set).

#include <chrono>
#include <string>

#include "adapters/common/channel_api_options.hpp"

namespace appealhub::adapters::petition {

struct PetitionOptions : ChannelApiOptions {
  std::string app_id;
  std::string secret_env = "APPEALHUB_PETITION_SECRET";  // environment variable with app_secret
  std::chrono::milliseconds poll_interval{10000};
  int page_size = 50;                 // 1..50
  std::chrono::seconds overlap{300};  // each poll re-reads this much before the stored position
  // Where the first pass starts when no position is stored (RFC 3339).
  std::string initial_updated_since = "2000-01-01T00:00:00+08:00";
};

// The initial position's RFC 3339 form is checked by the loader (core/time.hpp).
inline core::SettingProblems validate(const PetitionOptions& o) {
  auto problems = validate(static_cast<const ChannelApiOptions&>(o));
  if (!o.base_url.empty() && o.app_id.empty()) {
    problems.push_back({"app_id", "must be set when base_url is"});
  }
  return problems;
}

}  // namespace appealhub::adapters::petition
