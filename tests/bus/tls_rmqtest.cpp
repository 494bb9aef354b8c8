// TLS to the real RabbitMQ of scripts/services.sh (its amqps listener has a certificate for
// `localhost` from the local test CA in var/tls): messages flow when the broker is verified, and
// the connection is refused when the CA or the host name does not match. Needs RabbitMQ.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "bus/consumer.hpp"
#include "bus/publisher.hpp"
#include "bus/topology.hpp"

namespace appealhub::bus {
namespace {

using namespace std::chrono_literals;

std::string env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at test start
  return v ? v : "";
}

class TlsBroker : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = env("APPEALHUB_AMQPS_URI");
    ca_ = env("APPEALHUB_TEST_CA_FILE");
    ASSERT_FALSE(uri_.empty() || ca_.empty())
        << "run through scripts/test.sh (APPEALHUB_AMQPS_URI, APPEALHUB_TEST_CA_FILE)";
  }
  BrokerConfig config(const std::string& host = "localhost") const {
    BrokerConfig c;
    c.uri = uri_;
    if (host != "localhost") c.uri.replace(c.uri.find("@localhost:") + 1, 9, host);
    c.ca_file = ca_;
    c.connect_timeout = 3s;
    return c;
  }
  std::string uri_, ca_;
};

TEST_F(TlsBroker, MessagesFlowOverAVerifiedConnection) {
  const auto c = config();
  const std::string queue = "tls.test." + std::to_string(::getpid());
  // Names of its own, so that deleting them afterwards touches nothing else on the broker.
  TopologySpec spec;
  spec.exchange = queue + ".x";
  spec.dead_letter_exchange = queue + ".dlx";
  spec.dead_letter_queue = queue + ".dead";
  spec.retry_exchange = queue + ".retry";
  spec.queues = {{queue, {queue}, {}, 20}};
  declare_topology(c, spec);

  ConfirmedPublisher publisher(c, 100);
  std::size_t confirmed = 0;
  for (int i = 0; i < 100; ++i) {
    OutgoingMessage m;
    m.exchange = spec.exchange;
    m.routing_key = queue;
    m.body = R"({"n":)" + std::to_string(i) + "}";
    m.message_id = "tls-" + std::to_string(i);
    publisher.publish(std::move(m), [&](const OutgoingMessage&, PublishOutcome o) {
      confirmed += o == PublishOutcome::confirmed;
    });
  }
  ASSERT_TRUE(publisher.flush(20s)) << publisher.last_error();
  EXPECT_EQ(confirmed, 100u);

  Consumer consumer(c, queue, 50);
  std::size_t received = 0;
  while (auto d = consumer.next(3s)) {
    ++received;
    consumer.ack(*d);
    if (received == 100) break;
  }
  EXPECT_EQ(received, 100u);
  consumer.stop();
  delete_topology(c, spec);
}

TEST_F(TlsBroker, ABrokerSignedByAnotherCaIsRefused) {
  auto c = config();
  c.ca_file = "/etc/ssl/certs/ca-certificates.crt";  // the system's CAs do not know the test CA
  const auto problem = check_broker(c);
  ASSERT_TRUE(problem.has_value());
}

TEST_F(TlsBroker, TheHostNameMustMatchTheCertificate) {
  // The certificate names localhost; 127.0.0.1 is the same broker under a name it does not carry.
  auto c = config("127.0.0.1");
  EXPECT_TRUE(check_broker(c).has_value());
  c.verify_hostname = false;
  EXPECT_EQ(check_broker(c), std::nullopt) << "only the name check failed";
}

}  // namespace
}  // namespace appealhub::bus
