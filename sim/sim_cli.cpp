#include "sim/sim_cli.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace appealhub::sim {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string secret_from_env(const std::string& variable, const char* what) {
  const char* value = std::getenv(variable.c_str());
  if (!value || !*value) {
    throw UsageError(std::string(what) + " missing: set the environment variable " + variable);
  }
  return value;
}

// Serves until SIGINT or SIGTERM. The signals are blocked before any thread starts so that
// only sigwait() here sees them.
int serve(HostOptions host_options, std::unique_ptr<Simulation> simulation, sigset_t signals,
          const nlohmann::json& started) {
  SimHost host(std::move(host_options), std::move(simulation));
  std::cout << "listening " << started.value("address", "127.0.0.1") << ":" << host.port()
            << std::endl;
  nlohmann::json line = started;
  line["level"] = "info";
  line["msg"] = "simulator started";
  line["port"] = host.port();
  std::cerr << line.dump() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  host.stop();
  std::cerr << nlohmann::json{{"level", "info"}, {"msg", "simulator stopped"}}.dump() << std::endl;
  return 0;
}

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

template <typename Body>
int guarded(const char* command, Body body) {
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << "appealhub-sim " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << nlohmann::json{{"level", "error"}, {"msg", e.what()}}.dump() << std::endl;
    return 1;
  }
}

}  // namespace

int run_mailbox_sim(MailboxCommand command) {
  return guarded("mailbox", [&] {
    auto& [host, mailbox, token_env] = command;
    mailbox.token = secret_from_env(token_env, "the mailbox token");
    mailbox.seed = host.seed;
    const sigset_t signals = block_stop_signals();
    return serve(host, make_mailbox_simulation(mailbox), signals,
                 {{"simulator", "mailbox"},
                  {"address", host.address},
                  {"rate", host.rate},
                  {"count", host.count},
                  {"seed", host.seed},
                  {"token_env", token_env}});
  });
}

int run_petition_sim(PetitionCommand command) {
  return guarded("petition", [&] {
    auto& [host, petition, secret_env] = command;
    if (!host.state_file.empty()) {
      std::cerr << nlohmann::json{{"level", "warning"},
                                  {"msg", "--state-file is not kept by the petition simulator yet"}}
                       .dump()
                << std::endl;
    }
    petition.secret = secret_from_env(secret_env, "the app secret");
    petition.seed = host.seed;
    const sigset_t signals = block_stop_signals();
    return serve(host, make_petition_simulation(petition), signals,
                 {{"simulator", "petition"},
                  {"address", host.address},
                  {"rate", host.rate},
                  {"count", host.count},
                  {"seed", host.seed},
                  {"app_id", petition.app_id},
                  {"secret_env", secret_env},
                  {"webhook_url", petition.webhook_url}});
  });
}

}  // namespace appealhub::sim
