#include "http/url.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <stdexcept>

namespace appealhub::http {
namespace urls = boost::urls;

HttpUrl parse_http_url(std::string_view text) {
  const auto bad = [text](const std::string& why) {
    return std::invalid_argument("URL '" + std::string(text) + "': " + why);
  };
  const auto parsed = urls::parse_absolute_uri(urls::string_view(text.data(), text.size()));
  if (!parsed) throw bad("not an absolute URL (" + parsed.error().message() + ")");
  const urls::url_view& u = *parsed;
  HttpUrl out;
  if (u.scheme_id() == urls::scheme::https) {
    out.tls = true;
  } else if (u.scheme_id() != urls::scheme::http) {
    throw bad("must start with http:// or https://");
  }
  if (!u.has_authority() || u.encoded_host().empty()) throw bad("no host");
  out.host = std::string(u.encoded_host());
  if (u.has_port()) {
    // port_number() wraps values above 65535; read the digits.
    const auto digits = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
      throw bad("port must be 1 to 65535");
    }
    out.port = static_cast<unsigned short>(value);
  } else {
    out.port = out.tls ? 443 : 80;
  }
  out.path = std::string(u.encoded_path());
  // Boost.URL 1.81 reads "http://h:8x/" as port 8 and path "x/"; RFC 3986 wants "/" or nothing.
  if (!out.path.empty() && out.path.front() != '/') throw bad("not a valid authority and path");
  out.target = std::string(u.encoded_target());
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  out.has_user_info = u.has_userinfo();
  out.has_query = u.has_query();
  out.has_fragment = u.has_fragment();
  return out;
}

std::optional<QueryPairs> parse_query(std::string_view query) {
  const auto params = urls::parse_query(urls::string_view(query.data(), query.size()));
  if (!params) return std::nullopt;
  const urls::encoding_opts plus_is_space(true);
  QueryPairs out;
  for (const auto& p : *params) {
    if (p.key.empty() && !p.has_value) continue;
    out.emplace_back(p.key.decode(plus_is_space),
                     p.has_value ? std::optional(p.value.decode(plus_is_space)) : std::nullopt);
  }
  return out;
}

std::optional<std::string> decode_path_segment(std::string_view segment) {
  const auto s = urls::make_pct_string_view(urls::string_view(segment.data(), segment.size()));
  if (!s) return std::nullopt;
  return s->decode();
}

bool uri_has_password(std::string_view uri) {
  const auto u = urls::parse_uri(urls::string_view(uri.data(), uri.size()));
  return u && u->has_password();
}

std::string uri_with_password(std::string_view uri, std::string_view password) {
  const auto u = urls::parse_uri(urls::string_view(uri.data(), uri.size()));
  if (password.empty() || !u || !u->has_userinfo() || u->has_password()) return std::string(uri);
  urls::url out(*u);
  // Everything but unreserved characters escaped (':' too), as libpq and rabbitmq-c read it.
  const std::string encoded = percent_encode(password);
  out.set_encoded_password(urls::string_view(encoded.data(), encoded.size()));
  return std::string(out.buffer());
}

std::string percent_encode(std::string_view text) {
  return urls::encode(urls::string_view(text.data(), text.size()), urls::unreserved_chars);
}

}  // namespace appealhub::http
