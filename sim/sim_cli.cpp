#include "sim/sim_cli.hpp"

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sim/mailbox_site.hpp"
#include "sim/petition_platform.hpp"
#include "sim/sim_host.hpp"

namespace appealhub::sim {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct HelpRequested {};

// "--name value" pairs; each option names what it sets.
class Options {
 public:
  void add(const std::string& name, std::function<void(const std::string&)> set) {
    setters_[name] = std::move(set);
  }
  void parse(int argc, char** argv) {
    for (int i = 0; i < argc; ++i) {
      const std::string name = argv[i];
      if (name == "--help" || name == "-h") throw HelpRequested{};
      const auto it = setters_.find(name);
      if (it == setters_.end()) throw UsageError("unknown option " + name);
      if (i + 1 >= argc) throw UsageError(name + " needs a value");
      try {
        it->second(argv[++i]);
      } catch (const UsageError&) {
        throw;
      } catch (const std::exception&) {
        throw UsageError("bad value for " + name + ": " + argv[i]);
      }
    }
  }

 private:
  std::map<std::string, std::function<void(const std::string&)>> setters_;
};

double fraction(const std::string& text) {
  std::size_t used = 0;
  const double value = std::stod(text, &used);
  if (used != text.size() || value < 0 || value > 1) throw std::invalid_argument("fraction");
  return value;
}

double non_negative(const std::string& text) {
  std::size_t used = 0;
  const double value = std::stod(text, &used);
  if (used != text.size() || value < 0) throw std::invalid_argument("number");
  return value;
}

std::int64_t whole(const std::string& text) {
  std::size_t used = 0;
  const long long value = std::stoll(text, &used);
  if (used != text.size() || value < 0) throw std::invalid_argument("number");
  return value;
}

void add_host_options(Options& o, HostOptions& h) {
  o.add("--port", [&](const std::string& v) {
    const auto port = whole(v);
    if (port > 65535) throw std::invalid_argument("port");
    h.port = static_cast<unsigned short>(port);
  });
  o.add("--address", [&](const std::string& v) { h.address = v; });
  o.add("--rate", [&](const std::string& v) { h.rate = non_negative(v); });
  o.add("--count", [&](const std::string& v) { h.count = whole(v); });
  o.add("--seed", [&](const std::string& v) { h.seed = static_cast<std::uint64_t>(whole(v)); });
  o.add("--state-file", [&](const std::string& v) { h.state_file = v; });
  o.add("--fault-5xx", [&](const std::string& v) { h.faults.error_5xx = fraction(v); });
  o.add("--fault-slow", [&](const std::string& v) { h.faults.slow = fraction(v); });
  o.add("--fault-slow-ms", [&](const std::string& v) {
    h.faults.slow_ms = static_cast<int>(whole(v));
    if (h.faults.slow == 0) h.faults.slow = 1;  // a delay alone means every request is slow
  });
  o.add("--fault-drop", [&](const std::string& v) { h.faults.drop = fraction(v); });
  o.add("--fault-drop-after-store",
        [&](const std::string& v) { h.faults.drop_after_store = fraction(v); });
  o.add("--fault-429-burst", [&](const std::string& v) { h.faults.burst_429 = fraction(v); });
  o.add("--fault-429-burst-ms",
        [&](const std::string& v) { h.faults.burst_429_ms = static_cast<int>(whole(v)); });
}

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
int guarded(const char* usage, Body body) {
  try {
    return body();
  } catch (const HelpRequested&) {
    std::cout << usage;
    return 0;
  } catch (const UsageError& e) {
    std::cerr << e.what() << "\n" << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << nlohmann::json{{"level", "error"}, {"msg", e.what()}}.dump() << std::endl;
    return 1;
  }
}

constexpr const char* kCommonUsage =
    "  [--address 127.0.0.1] [--rate R] [--count N] [--seed S] [--state-file PATH]\n"
    "  [--fault-5xx F] [--fault-slow F --fault-slow-ms M] [--fault-drop F]\n"
    "  [--fault-drop-after-store F] [--fault-429-burst F --fault-429-burst-ms M]\n"
    "  [--life-seconds S]\n";

}  // namespace

int run_mailbox_sim(int argc, char** argv) {
  static const std::string usage =
      std::string("usage: appealhub-sim mailbox --port P [--token-env NAME]\n") + kCommonUsage +
      "  [--private-fraction F] [--withdraw-fraction F] [--spam-fraction F]\n"
      "  [--rating-fraction F] [--rating-change-fraction F] [--reindex-fraction F]\n";
  return guarded(usage.c_str(), [&] {
    HostOptions host;
    host.rate = 0.2;
    MailboxOptions mailbox;
    std::string token_env = "APPEALHUB_SIM_MAILBOX_TOKEN";
    Options o;
    add_host_options(o, host);
    o.add("--token-env", [&](const std::string& v) { token_env = v; });
    o.add("--life-seconds", [&](const std::string& v) { mailbox.life_seconds = non_negative(v); });
    o.add("--private-fraction",
          [&](const std::string& v) { mailbox.private_fraction = fraction(v); });
    o.add("--withdraw-fraction",
          [&](const std::string& v) { mailbox.withdraw_fraction = fraction(v); });
    o.add("--spam-fraction", [&](const std::string& v) { mailbox.spam_fraction = fraction(v); });
    o.add("--rating-fraction",
          [&](const std::string& v) { mailbox.rating_fraction = fraction(v); });
    o.add("--rating-change-fraction",
          [&](const std::string& v) { mailbox.rating_change_fraction = fraction(v); });
    o.add("--reindex-fraction",
          [&](const std::string& v) { mailbox.reindex_fraction = fraction(v); });
    o.parse(argc, argv);
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

int run_petition_sim(int argc, char** argv) {
  static const std::string usage =
      std::string("usage: appealhub-sim petition --port P --app-id ID [--secret-env NAME]\n") +
      kCommonUsage +
      "  [--webhook-url http://HOST:PORT/PATH] [--webhook-duplicate-fraction F]\n"
      "  [--webhook-reorder-fraction F] [--webhook-retry-ms M] [--webhook-retry-for-s S]\n"
      "  [--follow-up-fraction F] [--rating-fraction F] [--withdraw-fraction F]\n"
      "  [--reassign-fraction F]\n";
  return guarded(usage.c_str(), [&] {
    HostOptions host;
    host.rate = 0.2;
    PetitionOptions petition;
    std::string secret_env = "APPEALHUB_SIM_PETITION_SECRET";
    Options o;
    add_host_options(o, host);
    o.add("--app-id", [&](const std::string& v) { petition.app_id = v; });
    o.add("--secret-env", [&](const std::string& v) { secret_env = v; });
    o.add("--webhook-url", [&](const std::string& v) {
      HttpUrl url;
      if (!parse_http_url(v, url)) throw UsageError("--webhook-url must be http://host:port/path");
      petition.webhook_url = v;
    });
    o.add("--webhook-duplicate-fraction",
          [&](const std::string& v) { petition.webhook_duplicate_fraction = fraction(v); });
    o.add("--webhook-reorder-fraction",
          [&](const std::string& v) { petition.webhook_reorder_fraction = fraction(v); });
    o.add("--webhook-retry-ms", [&](const std::string& v) {
      petition.webhook_retry_initial_ms = static_cast<int>(whole(v));
    });
    o.add("--webhook-retry-for-s",
          [&](const std::string& v) { petition.webhook_retry_for_s = non_negative(v); });
    o.add("--life-seconds", [&](const std::string& v) { petition.life_seconds = non_negative(v); });
    o.add("--follow-up-fraction",
          [&](const std::string& v) { petition.follow_up_fraction = fraction(v); });
    o.add("--rating-fraction",
          [&](const std::string& v) { petition.rating_fraction = fraction(v); });
    o.add("--withdraw-fraction",
          [&](const std::string& v) { petition.withdraw_fraction = fraction(v); });
    o.add("--reassign-fraction",
          [&](const std::string& v) { petition.reassign_fraction = fraction(v); });
    o.parse(argc, argv);
    if (petition.app_id.empty()) throw UsageError("--app-id is required");
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
