#pragma once
// A blocking HTTP/1.1 client for the simulator tests: one connection per request; a connection
// closed without an answer is reported (the simulators drop connections on purpose).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace appealhub::sim::testing {

struct Reply {
  int status = 0;
  bool dropped = false;  // the server closed the connection without answering
  http::Headers headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::optional<std::string> header(const std::string& name) const {
    return http::find_header(headers, name);
  }
};

Reply call(unsigned short port, const std::string& method, const std::string& target,
           const std::string& body = "", const http::Headers& headers = {});

}  // namespace appealhub::sim::testing
