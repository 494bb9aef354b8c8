#include <gtest/gtest.h>

#include "bus/broker_config.hpp"

namespace appealhub::bus {
namespace {

TEST(BrokerUri, PlainWithEverything) {
  const auto a = parse_broker_uri("amqp://hub:s3cret@broker.example:5673/prod");
  EXPECT_FALSE(a.tls);
  EXPECT_EQ(a.host, "broker.example");
  EXPECT_EQ(a.port, 5673);
  EXPECT_EQ(a.user, "hub");
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.vhost, "prod");
}

TEST(BrokerUri, DefaultPortsFollowTheScheme) {
  EXPECT_EQ(parse_broker_uri("amqp://h").port, 5672);
  const auto tls = parse_broker_uri("amqps://h");
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.port, 5671);
}

TEST(BrokerUri, TheSlashVhostIsEncodedOrEmpty) {
  EXPECT_EQ(parse_broker_uri("amqp://u:p@127.0.0.1:56720/%2f").vhost, "/");
  EXPECT_EQ(parse_broker_uri("amqp://u:p@127.0.0.1:56720/%2F").vhost, "/");
  EXPECT_EQ(parse_broker_uri("amqp://u:p@127.0.0.1:56720/").vhost, "/");
  EXPECT_EQ(parse_broker_uri("amqp://u:p@127.0.0.1:56720").vhost, "/");
  EXPECT_EQ(parse_broker_uri("amqp://h/t_x").vhost, "t_x");
}

TEST(BrokerUri, UserAndPasswordArePercentDecoded) {
  const auto a = parse_broker_uri("amqp://app%40hub:p%3Aw%2Fd%25@h/");
  EXPECT_EQ(a.user, "app@hub");
  EXPECT_EQ(a.password, "p:w/d%");
}

TEST(BrokerUri, MalformedIsRejected) {
  EXPECT_THROW(parse_broker_uri(""), std::invalid_argument);
  EXPECT_THROW(parse_broker_uri("http://h/"), std::invalid_argument);
  EXPECT_THROW(parse_broker_uri("amqp://h:notaport/"), std::invalid_argument);
}

TEST(BrokerUri, RedactionHidesOnlyThePassword) {
  EXPECT_EQ(redacted_uri("amqp://hub:s3cret@h:5672/%2f"), "amqp://hub:***@h:5672/%2f");
  EXPECT_EQ(redacted_uri("amqps://hub@h/"), "amqps://hub@h/");
  EXPECT_EQ(redacted_uri("amqp://h:5672/x@y"), "amqp://h:5672/x@y");
  EXPECT_EQ(redacted_uri("not a uri"), "not a uri");
}

TEST(BrokerUri, ClusterHostsFollowTheUrisHostWithItsCredentials) {
  BrokerConfig config;
  config.uri = "amqps://hub:pw@mq1:5671/prod";
  config.hosts = {"mq2:5681", "mq3", "[::1]:5682", "mq1:5671"};
  const auto a = broker_addresses(config);
  ASSERT_EQ(a.size(), 4u);  // mq1 named twice is tried once
  EXPECT_EQ(a[0].host, "mq1");
  EXPECT_EQ(a[1].host, "mq2");
  EXPECT_EQ(a[1].port, 5681);
  EXPECT_EQ(a[2].host, "mq3");
  EXPECT_EQ(a[2].port, 5671);  // the URI's port
  EXPECT_EQ(a[3].host, "::1");
  EXPECT_EQ(a[3].port, 5682);
  for (const auto& address : a) {
    EXPECT_TRUE(address.tls);
    EXPECT_EQ(address.user, "hub");
    EXPECT_EQ(address.password, "pw");
    EXPECT_EQ(address.vhost, "prod");
  }
  for (const auto* bad : {"", "mq2:", "mq2:70000", "mq2:x", "user@mq2", "[::1", ":5672"}) {
    config.hosts = {bad};
    EXPECT_THROW(broker_addresses(config), std::invalid_argument) << bad;
  }
}

TEST(BrokerUri, ErrorsDoNotLeakThePassword) {
  try {
    parse_broker_uri("amqp://hub:topsecret@h:port/");
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace appealhub::bus
