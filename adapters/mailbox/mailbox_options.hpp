#pragma once
// The leader mailbox's options (adapters/mailbox/), with their one set of defaults. Plain data on
// the standard library alone: config/ reads the "mailbox" section straight into it. An empty
// base_url: the mailbox is not polled.

#include <chrono>
#include <string>

#include "adapters/common/channel_api_options.hpp"

namespace appealhub::adapters::mailbox {

struct MailboxOptions : ChannelApiOptions {
  std::string token_env = "APPEALHUB_MAILBOX_TOKEN";  // environment variable with the bearer token
  std::chrono::milliseconds poll_interval{5000};
  int page_size = 100;  // 1..100
};

}  // namespace appealhub::adapters::mailbox
