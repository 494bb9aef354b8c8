#pragma once
// An HTTP request and response as plain values, without Beast: what the gateway's handlers, the
// petition webhook handler and the HTTP client exchange. Header names compare case-insensitively.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appealhub::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header called `name` (any case), or nullopt.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method;  // upper case: GET, POST, …
  std::string target;  // path and query exactly as on the request line
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address (the load balancer's, behind one)
  bool secure = false;         // arrived over TLS

  std::string path() const;   // target before '?', not decoded
  std::string query() const;  // target after '?', "" when none
  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
  // The first query parameter called `name`, percent-decoded ('+' is a space), or nullopt (also
  // when the query is malformed: the gateway refuses such a request before reading parameters).
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Type included; Content-Length and Connection are the server's
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
  void set_header(std::string name, std::string value);
};

}  // namespace appealhub::http
