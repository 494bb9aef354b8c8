#include "sim/sim_host.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

namespace appealhub::sim {

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.set_header("Content-Type", "application/json; charset=utf-8");
  response.body = body.dump();
  return response;
}

namespace {

bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address == "::ffff:127.0.0.1";
}

// The code inside an error body ({"code": …} or {"error": …}), for the ledger's counts.
std::string error_code(const http::Response& response) {
  if (response.status < 400) return "";
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return "";
  for (const char* key : {"code", "error"}) {
    if (body.contains(key) && body[key].is_string()) return body[key].get<std::string>();
  }
  return "";
}

}  // namespace

struct SimHost::Impl {
  HostOptions options;
  std::unique_ptr<Simulation> simulation;
  Faults faults;
  RequestCounters counters;
  std::unique_ptr<SimServer> server;
  std::thread life_thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool stopped = false;
  std::atomic<bool> paused{false};
  std::atomic<std::int64_t> generated{0};

  Impl(HostOptions o, std::unique_ptr<Simulation> s)
      : options(std::move(o)), simulation(std::move(s)), faults(options.faults, options.seed) {}

  Outcome handle(const http::Request& request);
  Outcome control(const http::Request& request);
  void life_loop();
  void save_state();
  void load_state();
};

SimHost::SimHost(HostOptions options, std::unique_ptr<Simulation> simulation)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(simulation))) {
  impl_->load_state();
  impl_->server = std::make_unique<SimServer>(
      impl_->options.address, impl_->options.port,
      [impl = impl_.get()](const http::Request& request) { return impl->handle(request); });
  impl_->life_thread = std::thread([impl = impl_.get()] { impl->life_loop(); });
}

SimHost::~SimHost() {
  stop();
}

unsigned short SimHost::port() const {
  return impl_->server->port();
}
Simulation& SimHost::simulation() {
  return *impl_->simulation;
}
Faults& SimHost::faults() {
  return impl_->faults;
}

void SimHost::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->life_thread.joinable()) impl_->life_thread.join();
  impl_->server->stop();
  impl_->simulation->shutdown();
  impl_->save_state();
}

Outcome SimHost::Impl::handle(const http::Request& request) {
  if (request.path().rfind("/_sim/", 0) == 0) return control(request);
  Outcome outcome;
  const Faults::Decision fault = faults.before_request();
  if (fault.drop) {
    counters.count(0, "dropped");
    outcome.drop = true;
    return outcome;
  }
  if (fault.status == 429) {
    outcome.response = simulation->error(429, "rate_limited", "too many requests");
    outcome.response.set_header("Retry-After", std::to_string(fault.retry_after));
  } else if (fault.status == 500) {
    outcome.response = simulation->error(500, "internal_error", "internal server error");
  } else if (fault.status == 502 || fault.status == 503) {
    // What the reverse proxy in front of the platform says, not the platform itself.
    outcome.response.status = fault.status;
    outcome.response.set_header("Content-Type", "text/html");
    outcome.response.body = fault.status == 502
                                ? "<html><body><h1>502 Bad Gateway</h1></body></html>"
                                : "<html><body><h1>503 Service Unavailable</h1></body></html>";
    if (fault.status == 503) outcome.response.set_header("Retry-After", "1");
  } else {
    outcome = simulation->handle(request, faults);
  }
  outcome.delay += fault.delay;
  const std::string code = error_code(outcome.response);
  counters.count(outcome.drop ? 0 : outcome.response.status,
                 outcome.drop
                     ? "dropped_after_store"
                     : (code.empty() ? "" : std::to_string(outcome.response.status) + " " + code));
  return outcome;
}

Outcome SimHost::Impl::control(const http::Request& request) {
  Outcome outcome;
  if (!is_loopback(request.remote_address)) {
    outcome.response = json_response(403, {{"error", "forbidden"}, {"message", "loopback only"}});
    return outcome;
  }
  const std::string path = request.path();
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  nlohmann::json body = nlohmann::json::object();
  if (post && !request.body.empty()) {
    body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      outcome.response = json_response(400, {{"error", "invalid_json"}});
      return outcome;
    }
  }
  try {
    if (get && path == "/_sim/healthz") {
      outcome.response = json_response(200, {{"status", "ok"}, {"simulator", simulation->name()}});
    } else if (get && path == "/_sim/ledger") {
      nlohmann::json ledger = simulation->ledger();
      ledger["simulator"] = simulation->name();
      ledger["requests"] = counters.to_json();
      ledger["faults"] = {{"settings", to_json(faults.settings())},
                          {"injected", faults.counters()}};
      ledger["generation"] = {{"rate", options.rate},
                              {"count", options.count},
                              {"generated", generated.load()},
                              {"paused", paused.load()}};
      outcome.response = json_response(200, ledger);
    } else if (path == "/_sim/faults" && (get || post)) {
      if (post) faults.update(body);
      outcome.response = json_response(200, to_json(faults.settings()));
    } else if (post && path == "/_sim/generate") {
      const int count = body.value("count", 1);
      if (count < 1 || count > 10000) throw ControlError(400, "count must be 1..10000");
      outcome.response =
          json_response(200, {{"ids", simulation->generate(count, body.value("overrides", body))}});
    } else if (post && (path == "/_sim/pause" || path == "/_sim/resume")) {
      paused = path == "/_sim/pause";
      outcome.response = json_response(200, {{"paused", paused.load()}});
    } else if (post && path == "/_sim/act") {
      outcome.response = json_response(200, simulation->act(body));
    } else {
      outcome.response = json_response(404, {{"error", "not_found"}});
    }
  } catch (const ControlError& e) {
    outcome.response = json_response(e.status, {{"error", "refused"}, {"message", e.what()}});
  } catch (const std::exception& e) {
    outcome.response = json_response(400, {{"error", "invalid"}, {"message", e.what()}});
  }
  return outcome;
}

void SimHost::Impl::life_loop() {
  using Clock = std::chrono::steady_clock;
  const auto interval = options.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(1.0 / options.rate))
                                         : Clock::duration::max();
  auto next_appeal = Clock::now();
  auto next_save = Clock::now() + std::chrono::seconds(2);
  std::unique_lock lock(mutex);
  while (!stopping) {
    wake.wait_for(lock, std::chrono::milliseconds(50));
    if (stopping) break;
    lock.unlock();
    const auto now = Clock::now();
    if (options.rate > 0 && !paused && (options.count == 0 || generated < options.count) &&
        now >= next_appeal) {
      simulation->generate(1, nlohmann::json::object());
      ++generated;
      next_appeal += interval;
      if (next_appeal < now - std::chrono::seconds(1)) next_appeal = now;  // no catch-up storm
    }
    simulation->advance(now);
    if (!options.state_file.empty() && now >= next_save) {
      save_state();
      next_save = now + std::chrono::seconds(2);
    }
    lock.lock();
  }
}

void SimHost::Impl::save_state() {
  if (options.state_file.empty()) return;
  const nlohmann::json state = simulation->save_state();
  if (state.is_null()) return;
  const std::string temp = options.state_file + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << state.dump();
    if (!out) {
      std::cerr << "cannot write the state file " << options.state_file << "\n";
      return;
    }
  }
  std::rename(temp.c_str(), options.state_file.c_str());
}

void SimHost::Impl::load_state() {
  if (options.state_file.empty()) return;
  std::ifstream in(options.state_file);
  if (!in) return;  // first start
  const auto state = nlohmann::json::parse(in, nullptr, false);
  if (state.is_discarded())
    throw std::runtime_error("state file is not JSON: " + options.state_file);
  simulation->load_state(state);
}

}  // namespace appealhub::sim
