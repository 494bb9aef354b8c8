#pragma once
// What integration tests need from the real servers that scripts/services.sh started:
// a fresh database and a fresh RabbitMQ virtual host per test, removed afterwards, and the
// appealhub binary as a child process that can be killed.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace appealhub::testing {

// The repository root (APPEALHUB_ROOT, or the source dir CMake compiled in).
std::string repo_root();

// A database created for one test (named after it), migrated, dropped at the end.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& name, bool migrate = true);
  // For benchmarks that fill a large store once: a database named `kept_<name>`, created and
  // migrated when missing, kept (with its rows) after the end for the next run.
  static TestDatabase kept(const std::string& name);
  ~TestDatabase();
  const std::string& uri() const { return uri_; }
  // Runs a query and returns the first column of the first row as text ("" when no row).
  std::string scalar(const std::string& sql) const;
  std::vector<std::string> column(const std::string& sql) const;
  // Runs a statement that changes data, in its own transaction.
  void exec(const std::string& sql) const;

 private:
  struct Kept {};
  TestDatabase(Kept, const std::string& name);
  bool keep_ = false;
  std::string admin_uri_, name_, uri_;  // admin: a superuser on the test server (trust on loopback)
};

// A RabbitMQ virtual host created for one test, deleted at the end.
class TestVhost {
 public:
  explicit TestVhost(const std::string& name);
  ~TestVhost();
  const std::string& uri() const { return uri_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_, uri_;
};

// Runs scripts/services.sh with the arguments; throws when it fails.
void services(const std::string& args);

// Runs scripts/rabbitmq-cluster.sh with the arguments (the local three-node RabbitMQ cluster:
// start, stop, kill-node N, start-node N); throws when it fails.
void rabbitmq_cluster(const std::string& args);

// Where that cluster listens: node 1's URI (with the user and password of APPEALHUB_AMQP_URI,
// vhost "/") and the other two nodes, "127.0.0.1:port" each (APPEALHUB_CLUSTER_PORT as the script).
struct ClusterAddresses {
  std::string uri;
  std::vector<std::string> hosts;
};
ClusterAddresses rabbitmq_cluster_addresses();

// A child process (the hub) with its own environment; killed when destroyed.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               const std::string& log_file);
  ~ChildProcess();
  void start();
  void kill(int signal);  // sends the signal and waits for the exit
  int terminate();        // SIGTERM, waits, returns the exit status (-1 when killed by a signal)
  int wait();             // waits for the exit; the exit status (-1 when killed by a signal)
  bool running();
  int pid() const { return pid_; }
  long peak_rss_kib() const;  // VmHWM of the running process

 private:
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
  std::string log_file_;
  int pid_ = -1;
};

// Polls `done` until it is true or the timeout passes; returns the last answer.
bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done,
                std::chrono::milliseconds every = std::chrono::milliseconds(200));

// The appealhub binary built with the tests.
std::string appealhub_binary();

// Every line of the log file that contains one of `needles` (citizens' phones, names, e-mails,
// secrets), as "line N: <needle>" (the needle, not the line, so the report itself leaks nothing
// new). Needles shorter than `min_bytes` are skipped: they would match by chance.
std::vector<std::string> lines_containing(const std::string& log_file,
                                          const std::vector<std::string>& needles,
                                          std::size_t min_bytes = 6);

}  // namespace appealhub::testing
