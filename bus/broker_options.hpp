#pragma once
// The broker connection's options as the "broker" section sets them, with their one set of
// defaults. Plain data on the standard library alone: config/ reads the section straight into it,
// and every part's bus::BrokerConfig (bus/broker_config.hpp) is made of it.

#include <string>
#include <vector>

namespace appealhub::bus {

struct BrokerOptions {
  // amqp://user:pass@host:port/vhost or amqps://… (user, password and vhost percent-decoded).
  // The vhost "/" is spelled "%2f"; an empty vhost ("amqp://host:5672/" or no path) also means "/".
  // The configuration file holds no password: it comes from the variable named by password_env.
  std::string uri = "amqp://appealhub@127.0.0.1:56720/";
  // Further nodes of the same cluster, "host" or "host:port" ("[::1]:5672" for IPv6; no port: the
  // URI's), each with the URI's scheme, credentials and vhost. The URI's own host is tried first,
  // then these in turn: a failed connect or a lost connection moves on to the next one, so a
  // publisher or consumer fails over when its node goes down.
  std::vector<std::string> hosts;
  std::string password_env = "APPEALHUB_AMQP_PASSWORD";
  // TLS (amqps only). ca_file: PEM bundle used to verify the broker; empty = the system's default
  // verify paths. cert_file + key_file: optional client certificate (both or neither).
  std::string ca_file, cert_file, key_file;
  // Peer and host-name verification are on by default: keep them on outside throw-away tests.
  bool verify_peer = true, verify_hostname = true;
  // Negotiated down to the broker's value if that is smaller; 0 disables heartbeats (do not).
  int heartbeat_seconds = 30;
};

}  // namespace appealhub::bus
