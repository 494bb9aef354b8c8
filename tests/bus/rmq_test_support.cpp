#include "tests/bus/rmq_test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <stdexcept>

#include "http/url.hpp"

namespace appealhub::bus::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Runs a shell command; returns its exit status and stdout+stderr.
int run_shell(const std::string& command, std::string* output) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string services_env_uri() {
  std::string out;
  const std::string script = std::string(APPEALHUB_SOURCE_DIR) + "/scripts/services.sh";
  if (run_shell(shell_quote(script) + " env", &out) != 0) return "";
  const std::string marker = "APPEALHUB_AMQP_URI=";
  const auto at = out.find(marker);
  if (at == std::string::npos) return "";
  std::string value = out.substr(at + marker.size());
  value = value.substr(0, value.find('\n'));
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"')) {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

void reset_and_close(int fd) {
  if (fd < 0) return;
  linger l{1, 0};  // close with RST, as a dead network path would look
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

int connect_to(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

std::string broker_uri() {
  static const std::string uri = [] {
    std::string u = env_or("APPEALHUB_TEST_AMQP_URI", env_or("APPEALHUB_AMQP_URI", ""));
    if (u.empty()) u = services_env_uri();
    if (u.empty()) u = "amqp://appealhub:appealhub-dev@127.0.0.1:56720/";
    return u;
  }();
  return uri;
}

const std::string& run_prefix() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[32];
    std::snprintf(buf, sizeof buf, "t%d-%06x", static_cast<int>(::getpid()), rd() & 0xFFFFFF);
    return std::string(buf);
  }();
  return prefix;
}

BrokerConfig broker_config(const std::string& name) {
  BrokerConfig c;
  c.uri = broker_uri();
  c.connection_name = run_prefix() + " " + name;
  c.reconnect_min = std::chrono::milliseconds(50);
  c.reconnect_max = std::chrono::milliseconds(1000);
  return c;
}

ScopedTopology::ScopedTopology(const std::string& test, std::vector<QueueSpec> queues)
    : prefix_(run_prefix() + "." + test) {
  spec_.exchange = prefix_ + ".appeals";
  spec_.dead_letter_exchange = prefix_ + ".dlx";
  spec_.dead_letter_queue = prefix_ + ".dead";
  spec_.retry_exchange = prefix_ + ".retry";
  for (QueueSpec& q : queues) q.name = prefix_ + "." + q.name;
  spec_.queues = std::move(queues);
  declare_topology(broker_config("topology"), spec_);
}

ScopedTopology::~ScopedTopology() {
  try {
    delete_topology(broker_config("topology"), spec_);
  } catch (...) {
  }
}

OutgoingMessage message_to(const std::string& exchange, const std::string& key,
                           const std::string& id, std::string body) {
  OutgoingMessage m;
  m.exchange = exchange;
  m.routing_key = key;
  m.message_id = id;
  m.type = "test.event";
  m.body = std::move(body);
  return m;
}

ChaosProxy::ChaosProxy(const std::string& target_host, int target_port)
    : host_(target_host), target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0) {
    throw std::runtime_error("ChaosProxy: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  set_nonblocking(listener_);
  if (::pipe(wake_) != 0) throw std::runtime_error("ChaosProxy: pipe failed");
  set_nonblocking(wake_[0]);
  thread_ = std::thread([this] { run(); });
}

ChaosProxy::~ChaosProxy() {
  stopping_ = true;
  (void)!::write(wake_[1], "x", 1);
  thread_.join();
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::string ChaosProxy::uri_through(const std::string& uri) const {
  const BrokerAddress a = parse_broker_uri(uri);
  return std::string(a.tls ? "amqps://" : "amqp://") + http::percent_encode(a.user) + ":" +
         http::percent_encode(a.password) + "@127.0.0.1:" + std::to_string(port_) + "/" +
         http::percent_encode(a.vhost);
}

void ChaosProxy::cut() {
  ++cut_requests_;
  (void)!::write(wake_[1], "x", 1);
}

void ChaosProxy::freeze() {
  ++freeze_requests_;
  (void)!::write(wake_[1], "x", 1);
}

void ChaosProxy::run() {
  struct Link {
    int client, server;
    std::string to_server, to_client;
  };
  constexpr std::size_t kMaxBuffered = 1 << 20;
  std::vector<Link> links, frozen;
  int cuts_done = 0, freezes_done = 0;
  auto close_link = [&](Link& l, bool reset) {
    if (!reset) {  // pass on what is already buffered before closing (e.g. connection.close-ok)
      if (!l.to_client.empty()) (void)!::write(l.client, l.to_client.data(), l.to_client.size());
      if (!l.to_server.empty()) (void)!::write(l.server, l.to_server.data(), l.to_server.size());
      ::close(l.client);
      ::close(l.server);
    } else {
      reset_and_close(l.client);
      reset_and_close(l.server);
    }
    l.client = l.server = -1;
  };
  while (!stopping_) {
    if (cut_requests_.load() != cuts_done) {
      cuts_done = cut_requests_.load();
      for (Link& l : links) close_link(l, true);
      for (Link& l : frozen) close_link(l, true);
      links.clear();
      frozen.clear();
    }
    if (freeze_requests_.load() != freezes_done) {
      freezes_done = freeze_requests_.load();
      frozen.insert(frozen.end(), links.begin(), links.end());
      links.clear();
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    for (const Link& l : links) {
      fds.push_back({l.client,
                     static_cast<short>((l.to_server.size() < kMaxBuffered ? POLLIN : 0) |
                                        (l.to_client.empty() ? 0 : POLLOUT)),
                     0});
      fds.push_back({l.server,
                     static_cast<short>((l.to_client.size() < kMaxBuffered ? POLLIN : 0) |
                                        (l.to_server.empty() ? 0 : POLLOUT)),
                     0});
    }
    if (::poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) break;
    char drain[64];
    while (::read(wake_[0], drain, sizeof drain) > 0) {
    }
    if (fds[1].revents & POLLIN) {
      for (;;) {
        int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0) break;
        int server = connect_to(host_, target_port_);
        if (server < 0) {
          ::close(client);
          continue;
        }
        set_nonblocking(client);
        set_nonblocking(server);
        links.push_back({client, server, {}, {}});
      }
    }
    // Links accepted just now have no pollfd yet; they are served from the next round.
    const std::size_t polled = (fds.size() - 2) / 2;
    for (std::size_t i = 0; i < polled && i < links.size(); ++i) {
      Link& l = links[i];
      const pollfd& c = fds[2 + 2 * i];
      const pollfd& s = fds[3 + 2 * i];
      bool closed = false;
      char buf[65536];
      auto pump_in = [&](int fd, std::string& into) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
          into.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          closed = true;
        }
      };
      auto pump_out = [&](int fd, std::string& from) {
        const ssize_t n = ::send(fd, from.data(), from.size(), MSG_NOSIGNAL);
        if (n > 0) {
          from.erase(0, static_cast<std::size_t>(n));
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
          closed = true;
        }
      };
      if (c.revents & POLLIN) pump_in(l.client, l.to_server);
      if (s.revents & POLLIN) pump_in(l.server, l.to_client);
      if (!closed && (c.revents & POLLOUT)) pump_out(l.client, l.to_client);
      if (!closed && (s.revents & POLLOUT)) pump_out(l.server, l.to_server);
      if ((c.revents | s.revents) & (POLLERR | POLLNVAL)) closed = true;
      if (closed) close_link(l, false);
    }
    std::erase_if(links, [](const Link& l) { return l.client < 0; });
    open_ = static_cast<int>(links.size());
  }
  for (Link& l : links) close_link(l, true);
  for (Link& l : frozen) close_link(l, true);
}

bool rabbitmqctl(const std::string& args, std::string* output) {
  const std::string var = env_or("APPEALHUB_VAR", std::string(APPEALHUB_SOURCE_DIR) + "/var");
  const std::string dir = var + "/rabbitmq";
  const std::string command =
      "cd " + shell_quote(dir) + " && env HOME=" + shell_quote(dir + "/home") +
      " ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=" + env_or("APPEALHUB_EPMD_PORT", "56722") +
      " RABBITMQ_CTL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'" +
      " /usr/lib/rabbitmq/bin/rabbitmqctl -q -n appealhub@localhost " + args;
  return run_shell(command, output) == 0;
}

int close_connections_named(const std::string& name) {
  std::string listing;
  if (!rabbitmqctl("list_connections pid client_properties", &listing)) return -1;
  int closed = 0;
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(name) == std::string::npos) continue;
    const std::string pid = line.substr(0, line.find('\t'));
    if (rabbitmqctl("close_connection " + shell_quote(pid) + " 'appealhub bus test: forced close'",
                    nullptr)) {
      ++closed;
    }
  }
  return closed;
}

std::vector<Delivery> take(Consumer& consumer, std::size_t n, std::chrono::milliseconds timeout,
                           bool ack) {
  std::vector<Delivery> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto d = consumer.next(left);
    if (!d) break;
    if (ack) consumer.ack(*d);
    out.push_back(std::move(*d));
  }
  return out;
}

bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace appealhub::bus::testing
