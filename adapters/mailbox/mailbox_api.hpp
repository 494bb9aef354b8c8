#pragma once
// The leader mailbox's read API (docs/channels/leader-mailbox-api.md): letters and ratings, each paged
// by an opaque cursor. Bearer token on every request. Throws ChannelApiError (429 with its
// Retry-After, 5xx and transport failures as transient, 401, other 4xx, malformed pages).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/client.hpp"

namespace appealhub::adapters::mailbox {

struct MailboxPage {
  std::vector<nlohmann::json> items;  // letters or ratings, as the website sent them
  std::string next_cursor;            // "" when the website gave none (keep the old one)
  bool has_more = false;
};

class MailboxApi {
 public:
  MailboxApi(http::ClientOptions options, std::string token);

  // GET /api/v1/letters?cursor=…&limit=… (no cursor: from the start). limit 1..100.
  MailboxPage letters(const std::string& cursor, int limit);
  // GET /api/v1/ratings?cursor=…&limit=…
  MailboxPage ratings(const std::string& cursor, int limit);

 private:
  MailboxPage page(const std::string& path, const char* member, const std::string& cursor,
                   int limit);
  http::Client client_;
  std::string token_;
};

}  // namespace appealhub::adapters::mailbox
