#pragma once
// `appealhub-sim mailbox …` and `appealhub-sim petition …` once their command line is parsed
// (sim/main.cpp, sim/README.md).

#include <string>

#include "sim/mailbox_site.hpp"
#include "sim/petition_platform.hpp"
#include "sim/sim_host.hpp"

namespace appealhub::sim {

// The host as both HTTP simulators start it: 0.2 appeals a second.
inline HostOptions default_host() {
  HostOptions host;
  host.rate = 0.2;
  return host;
}

struct MailboxCommand {
  HostOptions host = default_host();
  MailboxOptions mailbox;  // its token and seed are filled in when it starts
  std::string token_env = "APPEALHUB_SIM_MAILBOX_TOKEN";
};

struct PetitionCommand {
  HostOptions host = default_host();
  PetitionOptions petition;  // its secret and seed are filled in when it starts
  std::string secret_env = "APPEALHUB_SIM_PETITION_SECRET";
};

// Both print "listening ADDRESS:PORT" as the first line on stdout, serve until SIGINT or SIGTERM
// and return the exit code (0 after a signal, 2 when the secret's variable is not set).
int run_mailbox_sim(MailboxCommand command);
int run_petition_sim(PetitionCommand command);

}  // namespace appealhub::sim
