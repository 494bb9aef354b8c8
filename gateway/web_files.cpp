#include "gateway/web_files.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

namespace appealhub::gateway {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string content_type(const std::string& path) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},           {".svg", "image/svg+xml"},
      {".png", "image/png"},                   {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},                {".woff", "font/woff"},
      {".ttf", "font/ttf"},                    {".txt", "text/plain; charset=utf-8"}};
  const auto ext = std::filesystem::path(path).extension().string();
  const auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

// Only plain relative names: letters, digits, '-', '_', '.', '/' and no "..".
bool safe_path(const std::string& path) {
  if (path.find("..") != std::string::npos) return false;
  for (const char c : path) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                    c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Built files never change under a name (Vite puts a content hash in assets/ names): read once.
std::mutex cache_mutex;
std::map<std::string, std::string> cache;

std::optional<std::string> cached(const std::filesystem::path& file, bool immutable) {
  const auto key = file.string();
  if (immutable) {
    std::lock_guard lock(cache_mutex);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto text = read_file(file);
  if (text && immutable) {
    std::lock_guard lock(cache_mutex);
    if (cache.size() < 512) cache.emplace(key, *text);
  }
  return text;
}

}  // namespace

void add_security_headers(http::Response& response) {
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
}

std::optional<http::Response> serve_web_file(const std::string& root, const std::string& path) {
  const std::filesystem::path base(root);
  auto index = read_file(base / "index.html");
  if (!index) return std::nullopt;
  http::Response r;
  std::string relative = path.size() > 1 ? path.substr(1) : "";
  if (!relative.empty() && safe_path(relative) && relative != "index.html") {
    const bool immutable = relative.starts_with("assets/");
    if (auto text = cached(base / relative, immutable)) {
      r.set_header("Content-Type", content_type(relative));
      r.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      r.body = std::move(*text);
      return r;
    }
  }
  // A file name that is not there is a 404; any other path is a page of the UI.
  if (std::filesystem::path(relative).has_extension()) {
    r.status = 404;
    r.set_header("Content-Type", "application/json");
    r.body = nlohmann::json{{"error", "not_found"}, {"message", "no such file: " + path}}.dump();
    return r;
  }
  r.set_header("Content-Type", "text/html; charset=utf-8");
  r.set_header("Cache-Control", "no-cache");
  r.body = std::move(*index);
  return r;
}

}  // namespace appealhub::gateway
