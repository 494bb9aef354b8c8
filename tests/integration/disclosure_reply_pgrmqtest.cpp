// A 依申请公开 reply document sent through the leader mailbox: a letter from the mailbox simulator
// becomes a ticket, staff of the lead department make a 予以公开 reply document with send, and the
// answer the simulator stores carries exactly the document's text, which is also exactly the text
// of its DOCX. Needs PostgreSQL, RabbitMQ and the simulators (built with the tests).

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "documents/docx.hpp"
#include "http/client.hpp"
#include "tests/sim/sim_client.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/sim_process.hpp"
#include "tests/support/test_env.hpp"

namespace appealhub {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kPassword = "correct horse battery";

TEST(DisclosureReply, TheMailboxGetsExactlyTheDocumentsText) {
  testing::TestDatabase db("disclosure_reply");
  testing::TestVhost vhost("disclosure_reply");
  auto mailbox = testing::start_simulator({"mailbox", "--port", "0", "--seed", "19"},
                                          {{"APPEALHUB_SIM_MAILBOX_TOKEN", "mb-token"}},
                                          "/tmp/appealhub_disclosure_reply_mailbox.log");
  ASSERT_NE(mailbox.port, 0);
  const auto generated =
      sim::testing::call(mailbox.port, "POST", "/_sim/generate", json{{"count", 1}}.dump());
  ASSERT_EQ(generated.status, 200) << generated.body;
  const auto letter = generated.json().at("ids").at(0).get<std::string>();

  const std::string config = "/tmp/appealhub_disclosure_reply.json";
  std::ofstream(config) << json{{"mailbox",
                                 {{"base_url", "http://127.0.0.1:" + std::to_string(mailbox.port)},
                                  {"poll_interval_ms", 200}}},
                                {"delivery",
                                 {{"channels", "mailbox,operator"}, {"poll_interval_ms", 100}}}}
                               .dump();
  const auto port = testing::free_port();
  const std::map<std::string, std::string> env{{"APPEALHUB_PG_URI", db.uri()},
                                               {"APPEALHUB_AMQP_URI", vhost.uri()},
                                               {"APPEALHUB_GATEWAY_PORT", std::to_string(port)},
                                               {"APPEALHUB_LOG_LEVEL", "warn"},
                                               {"APPEALHUB_MAILBOX_TOKEN", "mb-token"},
                                               {"APPEALHUB_NEW_USER_PASSWORD", kPassword}};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"migrate", "--config", config},
           {"user", "add", "mgr", "--role", "manager", "--config", config},
           {"user", "add", "clerk", "--role", "staff", "--department", "bgs", "--config",
            config}}) {
    std::vector<std::string> command{testing::appealhub_binary()};
    command.insert(command.end(), args.begin(), args.end());
    testing::ChildProcess step(command, env, "/tmp/appealhub_disclosure_reply_setup.log");
    step.start();
    step.wait();
  }
  testing::ChildProcess hub({testing::appealhub_binary(), "run", "--config", config}, env,
                            "/tmp/appealhub_disclosure_reply.log");
  hub.start();
  ASSERT_TRUE(testing::eventually(60s, [&] {
    try {
      return testing::http_call(port, "GET", "/readyz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  })) << "see /tmp/appealhub_disclosure_reply.log";
  testing::ApiSession mgr(port), clerk(port);
  ASSERT_EQ(mgr.login("mgr", kPassword).status, 200);
  ASSERT_EQ(clerk.login("clerk", kPassword).status, 200);

  json ticket;
  ASSERT_TRUE(testing::eventually(30s, [&] {
    const auto r = mgr.get("/api/v1/tickets?channel=mailbox&external_id=" + letter);
    if (r.status != 200 || r.json()["tickets"].empty()) return false;
    ticket = r.json()["tickets"][0];
    return true;
  })) << "the letter never became a ticket";
  const auto id = std::to_string(ticket["id"].get<std::int64_t>());
  const auto placed = mgr.post("/api/v1/tickets/" + id + "/reassign",
                               {{"lead_department", "bgs"}, {"reason", "依申请公开由办公室答复"}});
  ASSERT_EQ(placed.status, 200) << placed.body;

  const auto made = clerk.post("/api/v1/tickets/" + id + "/disclosure-documents",
                               {{"decision", "disclose"},
                                {"fields",
                                 {{"requester", "王建国"},
                                  {"requested", "2025年度城区出租车运价调整的批复文件"},
                                  {"document_number", "广交公开〔2026〕7号"},
                                  {"how",
                                   "现将该批复文件的复印件随本答复书一并提供，您也可以在工作日到广"
                                   "元市交通运输局办公室查阅"}}},
                                {"send", true}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto document = made.json();
  const auto text = document["text"].get<std::string>();
  EXPECT_NE(text.find("王建国："), std::string::npos) << text;
  EXPECT_NE(text.find("申请编号：" + letter), std::string::npos)
      << "the request's number: " << text;
  EXPECT_NE(text.find("六十日内向广元市人民政府申请行政复议"), std::string::npos);

  // The simulator's ledger: the letter's reply, stored once, with the document's text.
  json reply;
  ASSERT_TRUE(testing::eventually(30s,
                                  [&] {
                                    // The ledger is larger than the simulator test client takes:
                                    // the hub's client reads it.
                                    http::ClientOptions options;
                                    options.base_url =
                                        "http://127.0.0.1:" + std::to_string(mailbox.port);
                                    const auto ledger =
                                        json::parse(http::Client(options).get("/_sim/ledger").body);
                                    for (const auto& r : ledger["received"]["replies"]) {
                                      if (r["letter_id"] == letter) reply = r;
                                    }
                                    return !reply.is_null();
                                  }))
      << "the mailbox never got the answer: " << mgr.get("/api/v1/replies?ticket_id=" + id).body;
  EXPECT_EQ(reply["accepted_new"], 1);
  EXPECT_EQ(reply["body"]["content"], text);

  const auto docx = clerk.get(document["docx"].get<std::string>());
  ASSERT_EQ(docx.status, 200) << docx.body;
  EXPECT_EQ(docx.header("Content-Type").value_or(""),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  const auto paragraphs = documents::docx_paragraphs(docx.body);
  std::string joined;
  for (std::size_t i = 0; i < paragraphs.size(); ++i) joined += (i ? "\n" : "") + paragraphs[i];
  EXPECT_EQ(joined, reply["body"]["content"].get<std::string>());
  std::ofstream("/tmp/appealhub_disclosure_reply.docx", std::ios::binary) << docx.body;

  const auto view = mgr.get("/api/v1/tickets/" + id).json();
  EXPECT_TRUE(view["status"] == "answered" || view["status"] == "delivered") << view["status"];
  EXPECT_EQ(hub.terminate(), 0);
}

}  // namespace
}  // namespace appealhub
