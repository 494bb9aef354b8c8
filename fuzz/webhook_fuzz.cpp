// The petition webhook (POST /webhooks/petition from outside): headers, signature check, body.
// Input: one byte ('s': the fuzzer signs the request with the test secret so that the body is
// read; anything else: the request is taken as written), then an HTTP-like request:
//   POST /webhooks/petition\nX-App-Id: …\nX-Timestamp: …\nX-Nonce: …\n\n<body>
// The handler answers every request (never throws) with a documented status, and takes events
// in only for a request that passed every check.
#include <set>
#include <string>

#include "adapters/petition/signing.hpp"
#include "adapters/petition/webhook.hpp"
#include "fuzz/fuzz_support.hpp"

namespace p = appealhub::adapters::petition;
namespace http = appealhub::http;

namespace {

constexpr const char* kAppId = "GY-JT-0001";
constexpr const char* kSecret = "fuzz-secret";
// 2026-11-28T02:00:00Z; seeds carry this X-Timestamp.
constexpr std::chrono::seconds kNow{1795831200};

// Nonces in memory: the intake's contract without the database (the fuzzer tests the handler).
class MemoryIntake final : public p::WebhookIntake {
 public:
  p::Intake take(const std::string& nonce, const std::vector<appealhub::core::Event>& events,
                 std::string&) override {
    APPEALHUB_FUZZ_CHECK(!events.empty());
    for (const auto& event : events) appealhub::fuzz::check_event(event);
    if (nonces_.size() > 1000) nonces_.clear();
    return nonces_.insert(nonce).second ? p::Intake::taken : p::Intake::replayed_nonce;
  }

 private:
  std::set<std::string> nonces_;
};

http::Request parse_request(std::string_view text) {
  http::Request request;
  auto [head, body] = appealhub::fuzz::split_once(text, "\n\n");
  request.body = std::string(body);
  auto [line, headers] = appealhub::fuzz::split_once(head, "\n");
  auto [method, target] = appealhub::fuzz::split_once(line, " ");
  request.method = std::string(method);
  request.target = std::string(target);
  while (!headers.empty()) {
    auto [header, rest] = appealhub::fuzz::split_once(headers, "\n");
    auto [name, value] = appealhub::fuzz::split_once(header, ": ");
    request.headers.emplace_back(std::string(name), std::string(value));
    headers = rest;
  }
  request.remote_address = "127.0.0.1";
  return request;
}

void set_header(http::Request& request, const std::string& name, const std::string& value) {
  for (auto& [n, v] : request.headers) {
    if (n == name) {
      v = value;
      return;
    }
  }
  request.headers.emplace_back(name, value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  static p::PetitionWebhook webhook(
      p::PetitionWebhookOptions{kAppId, kSecret, std::chrono::seconds(300),
                                [] { return std::chrono::system_clock::time_point(kNow); }},
      std::make_unique<MemoryIntake>());
  if (size == 0) return 0;
  auto request = parse_request(appealhub::fuzz::as_text(data + 1, size - 1));
  if (data[0] == 's') {
    const auto timestamp = request.header("X-Timestamp").value_or("");
    const auto nonce = request.header("X-Nonce").value_or("");
    set_header(request, "X-Signature",
               p::hmac_sha256_hex(kSecret, p::string_to_sign(request.method, request.target,
                                                             timestamp, nonce, request.body)));
  }
  const auto response = webhook.handle(request);
  static const std::set<int> documented = {200, 400, 401, 405, 503};
  APPEALHUB_FUZZ_CHECK(documented.contains(response.status));
  return 0;
}
