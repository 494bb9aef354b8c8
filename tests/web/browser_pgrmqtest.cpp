// The web UI in a real browser (Debian's chromium driven by npm playwright-core, headless)
// against a real hub: `appealhub run` with its gateway serving web/dist, PostgreSQL, RabbitMQ and
// the mailbox simulator. Each role signs in and does its main work (web/tests/browser.mjs says
// what); screenshots go to <build>/screenshots/. Needs PostgreSQL, RabbitMQ, Node.js, chromium
// and the built UI (scripts/build-web.sh).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bus/topology.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "correct horse battery";

TEST(WebBrowser, EachRoleDoesItsWorkInTheBrowser) {
  const auto root = testing::repo_root();
  ASSERT_TRUE(std::filesystem::exists(root + "/web/dist/index.html"))
      << "the web UI is not built: run scripts/build-web.sh";
  ASSERT_TRUE(std::filesystem::exists(root + "/web/node_modules/playwright-core"))
      << "web/node_modules is missing: run scripts/build-web.sh";
  testing::TestDatabase db("web_browser");
  testing::TestVhost vhost("web_browser");
  bus::BrokerConfig broker;
  broker.uri = vhost.uri();
  bus::declare_topology(broker, bus::hub_topology());

  auto mailbox = testing::start_simulator({"mailbox", "--port", "0", "--rate", "0", "--seed", "17"},
                                          {{"APPEALHUB_SIM_MAILBOX_TOKEN", "mb-token"}},
                                          "/tmp/appealhub_web_browser_mailbox.log");
  ASSERT_NE(mailbox.port, 0);
  const std::string mailbox_url = "http://127.0.0.1:" + std::to_string(mailbox.port);

  const std::string config = "/tmp/appealhub_web_browser.json";
  std::ofstream(config) << nlohmann::json{
      {"mailbox", {{"base_url", mailbox_url}, {"poll_interval_ms", 300}}},
      {"delivery", {{"backoff_min_ms", 200}, {"poll_interval_ms", 200}}},
      {"gateway",
       {{"web_root",
         root + "/web/dist"}}}}.dump();
  const auto port = testing::free_port();
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                               {"APPEALHUB_LOG_LEVEL", "warn"},
                                               {"APPEALHUB_MAILBOX_TOKEN", "mb-token"},
                                               {"APPEALHUB_NEW_USER_PASSWORD", kPassword}};
  // Runs `appealhub ARGS… --config CONFIG` to its end.
  const auto cli = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), testing::appealhub_binary());
    args.insert(args.end(), {"--config", config});
    testing::ChildProcess command(args, env, log);
    command.start();
    return command.wait();
  };
  ASSERT_EQ(cli({"user", "add", "admin", "--role", "admin", "--display-name", "系统管理员"},
                "/tmp/appealhub_web_browser_user.log"),
            0);
  // No routing rules from the start, so every appeal reaches the dispatch desk: a rule saved
  // through the API would only be in force after the routers' next reload (up to 5 s), and a
  // letter arriving before it would be placed by a shipped rule.
  const std::string no_rules = "/tmp/appealhub_web_browser_rules.json";
  std::ofstream(no_rules) << R"({"$comment": "browser test: everything to the desk", "rules": []})";
  ASSERT_EQ(cli({"migrate"}, "/tmp/appealhub_web_browser_migrate.log"), 0);
  ASSERT_EQ(cli({"settings", "load", "routing_rules", no_rules},
                "/tmp/appealhub_web_browser_settings.log"),
            0)
      << "see /tmp/appealhub_web_browser_settings.log";
  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config}, env,
                            "/tmp/appealhub_web_browser_hub.log");
  hub.start();
  ASSERT_TRUE(testing::eventually(60s, [&] {
    try {
      return testing::http_call(port, "GET", "/readyz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  })) << "the gateway did not become ready; see /tmp/appealhub_web_browser_hub.log";

  const std::string screenshots = std::string(APPEALHUB_BUILD_DIR) + "/screenshots";
  std::filesystem::create_directories(screenshots);
  const std::string command = "cd '" + root +
                              "/web' && BASE_URL=http://127.0.0.1:" + std::to_string(port) +
                              " ADMIN_PASSWORD='" + kPassword + "' MAILBOX_URL=" + mailbox_url +
                              " SCREENSHOTS='" + screenshots + "' node tests/browser.mjs";
  const int status = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
  EXPECT_EQ(status, 0) << command << "\nsee /tmp/appealhub_web_browser_hub.log";
  EXPECT_EQ(hub.terminate(), 0);
}

}  // namespace
}  // namespace appealhub
