#include "adapters/mailbox/mailbox_api.hpp"

#include "adapters/common/channel_api.hpp"
#include "core/json_input.hpp"
#include "http/url.hpp"

namespace appealhub::adapters::mailbox {

MailboxApi::MailboxApi(http::ClientOptions options, std::string token)
    : client_(std::move(options)), token_(std::move(token)) {}

MailboxPage MailboxApi::letters(const std::string& cursor, int limit) {
  return page("/api/v1/letters", "letters", cursor, limit);
}

MailboxPage MailboxApi::ratings(const std::string& cursor, int limit) {
  return page("/api/v1/ratings", "ratings", cursor, limit);
}

MailboxPage MailboxApi::page(const std::string& path, const char* member, const std::string& cursor,
                             int limit) {
  std::string target = path + "?";
  if (!cursor.empty()) target += "cursor=" + http::percent_encode(cursor) + "&";
  target += "limit=" + std::to_string(limit);
  const std::string what = "GET " + path;
  const auto response = over_transport([&] {
    return client_.get(target,
                       {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}});
  });
  expect_success(response, what);
  const auto body = core::parse_json_bounded(response.body);
  if (!body.is_object() || !body.contains(member) || !body[member].is_array()) {
    throw ChannelApiError(ApiFailure::malformed,
                          what + ": the answer has no '" + member + "' array");
  }
  MailboxPage page;
  for (const auto& item : body[member]) page.items.push_back(item);
  if (const auto it = body.find("next_cursor"); it != body.end() && it->is_string()) {
    page.next_cursor = it->get<std::string>();
  }
  if (const auto it = body.find("has_more"); it != body.end() && it->is_boolean()) {
    page.has_more = it->get<bool>();
  }
  // A page that says there is more but gives no way to get it would loop for ever.
  if (page.has_more && page.next_cursor.empty()) {
    throw ChannelApiError(ApiFailure::malformed, what + ": has_more without next_cursor");
  }
  return page;
}

}  // namespace appealhub::adapters::mailbox
