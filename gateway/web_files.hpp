#pragma once
// The web UI's built files (web/dist, docs/decisions/0011-web-ui.md) served from a folder: the
// file asked for, or index.html for any other path a browser opens (the UI's deep links), and
// the security headers every page carries.

#include <optional>
#include <string>

#include "http/message.hpp"

namespace appealhub::gateway {

// The Content-Security-Policy of every answer: no inline or foreign scripts, no framing. Element
// Plus sets style attributes from script, so style-src allows inline styles.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// Adds the headers above (CSP, X-Frame-Options, X-Content-Type-Options, Referrer-Policy).
void add_security_headers(http::Response& response);

// GET or HEAD of a path outside the API: the file under `root`, index.html for a path with no
// such file and no extension (a page of the UI), 404 otherwise. nullopt when `root` has no
// index.html (the UI is not built or not installed).
std::optional<http::Response> serve_web_file(const std::string& root, const std::string& path);

}  // namespace appealhub::gateway
