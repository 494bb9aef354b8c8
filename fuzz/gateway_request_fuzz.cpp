// The gateway's query strings and JSON bodies (requests from anyone, before authorization is
// known to hold). Input: the request target on the first line, the JSON body after it.
// check_request_text, query_param, parse_time_param and Body either accept or throw ApiError
// (a 4xx naming the field); any other exception would be a 500 and fails the fuzzer.
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "gateway/api_internal.hpp"
#include "http/url.hpp"

namespace d = appealhub::gateway::detail;
namespace http = appealhub::http;

namespace {

template <class Fn>
void refusal_allowed(Fn fn) {
  try {
    fn();
  } catch (const d::ApiError& e) {
    APPEALHUB_FUZZ_CHECK(e.status >= 400 && e.status < 500);
  }
}

// Reads a member the way handlers do, by what `selector` picks.
void read_member(d::Body& body, const std::string& name, unsigned selector) {
  refusal_allowed([&] {
    switch (selector % 6) {
      case 0:
        (void)body.string(name, selector & 8, 200, selector & 16);
        break;
      case 1:
        (void)body.boolean(name, selector & 8);
        break;
      case 2:
        (void)body.integer(name, selector & 8, -1000, 1000000);
        break;
      case 3:
        (void)body.strings(name, selector & 8);
        break;
      case 4:
        (void)body.object(name, selector & 8);
        break;
      default:
        (void)body.choice(name, selector & 8, {"final_answer", "interim", "a"});
        break;
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  auto [target, body_text] =
      appealhub::fuzz::split_once(appealhub::fuzz::as_text(data, size), "\n");
  http::Request request;
  request.method = "POST";
  request.target = std::string(target);
  request.body = std::string(body_text);
  request.headers.emplace_back("Content-Type", "application/json");

  std::map<std::string, std::string> params;
  const auto path = request.path();
  if (const auto slash = path.rfind('/'); slash != std::string::npos) {
    params["id"] = http::decode_path_segment(path.substr(slash + 1)).value_or("");
  }
  refusal_allowed([&] { d::check_request_text(request, params); });
  for (const char* name : {"q", "channel", "status", "phone", "purpose", "page", "limit", "from",
                           "to", "cursor", "department"}) {
    const auto value = request.query_param(name);
    if (value && (std::string_view(name) == "from" || std::string_view(name) == "to")) {
      refusal_allowed([&] { (void)d::parse_time_param(name, *value); });
    }
  }
  const std::string query = request.query();
  APPEALHUB_FUZZ_CHECK(http::decode_path_segment(http::percent_encode(query)) == query);

  refusal_allowed([&] {
    d::Body body(request);
    unsigned selector = 0;
    for (const auto& [key, value] : body.json().items()) {
      read_member(body, key, selector += static_cast<unsigned>(key.size()) + 7);
    }
    read_member(body, "reason", selector);
    refusal_allowed([&] { body.finish(); });
  });
  return 0;
}
