#include "adapters/petition/petition_api.hpp"

#include "adapters/common/channel_api.hpp"
#include "adapters/petition/signing.hpp"
#include "core/json_input.hpp"
#include "http/url.hpp"

namespace appealhub::adapters::petition {

PetitionApi::PetitionApi(http::ClientOptions options, std::string app_id, std::string secret,
                         Clock clock)
    : client_([&] {
        options.resend_on_stale_connection = false;  // a resent request would reuse its nonce
        return std::move(options);
      }()),
      app_id_(std::move(app_id)),
      secret_(std::move(secret)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })) {}

MessagesPage PetitionApi::messages(const std::string& updated_since, int page_size,
                                   const std::string& page_token) {
  std::string target = "/open/v2/messages?updated_since=" + http::percent_encode(updated_since) +
                       "&page_size=" + std::to_string(page_size);
  if (!page_token.empty()) target += "&page_token=" + http::percent_encode(page_token);
  const std::string what = "GET /open/v2/messages";
  auto headers =
      signature_headers(app_id_, secret_, "GET", client_.request_target(target), "", clock_());
  headers.emplace_back("Accept", "application/json");
  const auto response = over_transport([&] { return client_.get(target, headers); });
  expect_success(response, what);
  const auto body = core::parse_json_bounded(response.body);
  if (!body.is_object() || !body.contains("messages") || !body["messages"].is_array()) {
    throw ChannelApiError(ApiFailure::malformed, what + ": the answer has no 'messages' array");
  }
  MessagesPage page;
  for (const auto& m : body["messages"]) page.messages.push_back(m);
  if (const auto it = body.find("next_page_token"); it != body.end() && it->is_string()) {
    page.next_page_token = it->get<std::string>();
  }
  return page;
}

}  // namespace appealhub::adapters::petition
