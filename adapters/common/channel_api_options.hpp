#pragma once
// A channel platform's HTTP API as its section sets it (mailbox, petition): where it is and how
// patiently it is asked. Plain data on the standard library alone: each channel's options derive
// from it, and adapters/common/channel_api.hpp makes the HTTP client's options and the poll
// schedule of it.

#include <chrono>
#include <string>

#include "core/setting_problem.hpp"

namespace appealhub::adapters {

struct ChannelApiOptions {
  std::string base_url;  // http(s)://host[:port][/prefix]; empty: the channel is not polled
  std::string ca_file;   // https: CAs to trust; empty: the system's
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds backoff_max{300000};  // ceiling of the backoff after failures
};

// base_url: empty (off) or http(s)://host… without credentials in it.
inline core::SettingProblems validate(const ChannelApiOptions& o) {
  core::SettingProblems problems;
  const auto& url = o.base_url;
  if (url.empty()) return problems;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    problems.push_back({"base_url", "must start with http:// or https://"});
  } else if (url.substr(0, url.find('/', 8)).find('@') != std::string::npos) {
    problems.push_back({"base_url", "must not hold credentials (use the *_env setting)"});
  }
  return problems;
}

}  // namespace appealhub::adapters
