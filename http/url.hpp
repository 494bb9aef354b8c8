#pragma once
// URLs and query strings, read with Boost.URL
// (docs/decisions/0023-boost-url-for-urls-and-queries.md): the one place that takes a URL or a
// query string apart, for the gateway, the HTTP client and the simulators.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace appealhub::http {

// An absolute http:// or https:// URL taken apart.
struct HttpUrl {
  bool tls = false;
  std::string host;            // as written (a name or an IP literal)
  unsigned short port = 0;     // the URL's, else 80 or 443
  std::string path;            // percent-encoded, "" when the URL has none
  std::string target;          // path and query as for a request line, "/" at least
  bool has_user_info = false;  // user[:password]@ before the host
  bool has_query = false;
  bool has_fragment = false;
};

// Throws std::invalid_argument saying what is wrong (not an absolute URI, not http or https, no
// host, a port outside 1–65535).
HttpUrl parse_http_url(std::string_view text);

// The name[=value] pairs of a query string, both percent-decoded ('+' is a space); value is
// nullopt for a pair without '='; empty pairs ("a=1&&b=2") are skipped. nullopt when the string
// is not a query (a '%' not followed by two hex digits, a character a query cannot hold).
using QueryPairs = std::vector<std::pair<std::string, std::optional<std::string>>>;
std::optional<QueryPairs> parse_query(std::string_view query);

// A percent-decoded path segment ('+' stays '+'); nullopt for a malformed escape.
std::optional<std::string> decode_path_segment(std::string_view segment);

// Whether a URI (postgresql://, amqp://…) carries a password in its user information.
bool uri_has_password(std::string_view uri);
// The URI with `password` added to its user information, percent-encoded as needed; unchanged
// when the password is empty, the URI has no user or already a password, or is not a URI.
std::string uri_with_password(std::string_view uri, std::string_view password);

// Percent-encoding of everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percent_encode(std::string_view text);

}  // namespace appealhub::http
