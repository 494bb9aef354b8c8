#pragma once
// The online-petition platform's read API (docs/channels/online-petition-api.md): messages changed
// since a time, paged by page tokens, every request signed (signing.hpp). Throws ChannelApiError
// (429 with Retry-After, 5xx and transport failures as transient, 401 as unauthorized: a burst of
// them is an alarm, other 4xx, malformed pages).

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/client.hpp"

namespace appealhub::adapters::petition {

struct MessagesPage {
  std::vector<nlohmann::json> messages;
  std::string next_page_token;  // "" at the end
};

class PetitionApi {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `clock` gives X-Timestamp (the system clock when empty).
  PetitionApi(http::ClientOptions options, std::string app_id, std::string secret,
              Clock clock = {});

  // GET /open/v2/messages?updated_since=…&page_size=…[&page_token=…]; a page token is sent with
  // the query it came from. page_size 1..50.
  MessagesPage messages(const std::string& updated_since, int page_size,
                        const std::string& page_token);

 private:
  http::Client client_;
  std::string app_id_, secret_;
  Clock clock_;
};

}  // namespace appealhub::adapters::petition
