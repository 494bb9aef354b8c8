// The configuration file (written by people, read at start and by `appealhub check`):
// parse_config never throws and names a setting for every error.
#include "config/app_config.hpp"
#include "fuzz/fuzz_support.hpp"
#include "http/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  appealhub::fuzz::quiet_logs();
  const auto load = appealhub::config::parse_config(
      std::string(appealhub::fuzz::as_text(data, size)), "fuzz.json");
  for (const auto& error : load.errors) (void)error.to_string();
  if (load.errors.empty()) {
    (void)appealhub::http::uri_with_password(load.config.database.uri, "p@ss:w/rd%");
    (void)appealhub::http::uri_with_password(load.config.broker.uri, "p@ss:w/rd%");
  }
  return 0;
}
