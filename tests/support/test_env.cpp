#include "tests/support/test_env.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>

#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace appealhub::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): tests read env at start
  return v && *v ? v : fallback;
}

// Identifiers for databases and vhosts: lower case letters, digits and underscores.
std::string identifier(const std::string& name) {
  std::string out = "t_";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return out + "_" + std::to_string(::getpid());
}

// Replaces the path of a postgresql:// URI with another database name.
std::string with_database(const std::string& uri, const std::string& db) {
  const auto q = uri.find('?');
  const auto slash = uri.rfind('/', q == std::string::npos ? std::string::npos : q);
  return uri.substr(0, slash + 1) + db + (q == std::string::npos ? "" : uri.substr(q));
}

}  // namespace

std::string repo_root() {
  return env_or("APPEALHUB_ROOT", APPEALHUB_SOURCE_DIR);
}

std::string appealhub_binary() {
  return env_or("APPEALHUB_BINARY", APPEALHUB_BINARY_PATH);
}

TestDatabase::TestDatabase(const std::string& name, bool migrate)
    : admin_uri_(
          env_or("APPEALHUB_TEST_PG_ADMIN_URI", "postgresql://postgres@127.0.0.1:55432/postgres")),
      name_(identifier(name)),
      uri_(with_database(
          env_or("APPEALHUB_PG_URI", "postgresql://appealhub@127.0.0.1:55432/appealhub"), name_)) {
  {
    auto admin = storage::connect({admin_uri_});
    pqxx::nontransaction txn(*admin);
    txn.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    txn.exec("CREATE DATABASE " + name_ + " OWNER appealhub");
  }
  if (migrate) {
    auto connection = storage::connect({uri_});
    storage::apply_migrations(*connection);
  }
}

TestDatabase TestDatabase::kept(const std::string& name) {
  return TestDatabase(Kept{}, name);
}

TestDatabase::TestDatabase(Kept, const std::string& name)
    : keep_(true),
      admin_uri_(
          env_or("APPEALHUB_TEST_PG_ADMIN_URI", "postgresql://postgres@127.0.0.1:55432/postgres")),
      name_("kept_" + identifier(name).substr(2, identifier(name).rfind('_') - 2)),
      uri_(with_database(
          env_or("APPEALHUB_PG_URI", "postgresql://appealhub@127.0.0.1:55432/appealhub"), name_)) {
  {
    auto admin = storage::connect({admin_uri_});
    pqxx::nontransaction txn(*admin);
    if (txn.exec("SELECT 1 FROM pg_database WHERE datname = " + txn.quote(name_)).empty()) {
      txn.exec("CREATE DATABASE " + name_ + " OWNER appealhub");
    }
  }
  auto connection = storage::connect({uri_});
  storage::apply_migrations(*connection);
}

TestDatabase::~TestDatabase() {
  if (keep_) return;
  try {
    auto admin = storage::connect({admin_uri_});
    pqxx::nontransaction txn(*admin);
    txn.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // A leftover test database is harmless; the next run drops it by name.
  }
}

std::string TestDatabase::scalar(const std::string& sql) const {
  auto connection = storage::connect({uri_});
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec(sql);
  return rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].as<std::string>();
}

std::vector<std::string> TestDatabase::column(const std::string& sql) const {
  auto connection = storage::connect({uri_});
  pqxx::read_transaction txn(*connection);
  std::vector<std::string> out;
  for (const auto& row : txn.exec(sql))
    out.push_back(row[0].is_null() ? "" : row[0].as<std::string>());
  return out;
}

void TestDatabase::exec(const std::string& sql) const {
  auto connection = storage::connect({uri_});
  pqxx::work txn(*connection);
  txn.exec(sql);
  txn.commit();
}

namespace {

void run_script(const std::string& script, const std::string& args) {
  const std::string command = repo_root() + "/scripts/" + script + " " + args + " >/dev/null";
  if (std::system(command.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
    throw std::runtime_error("scripts/" + script + " " + args + " failed");
  }
}

}  // namespace

void services(const std::string& args) {
  run_script("services.sh", args);
}

void rabbitmq_cluster(const std::string& args) {
  run_script("rabbitmq-cluster.sh", args);
}

ClusterAddresses rabbitmq_cluster_addresses() {
  const auto base = std::stoi(env_or("APPEALHUB_CLUSTER_PORT", "61730"));
  const auto single = env_or("APPEALHUB_AMQP_URI", "");
  const auto at = single.rfind('@');
  if (at == std::string::npos) {
    throw std::runtime_error(
        "APPEALHUB_AMQP_URI with user and password is not set: first "
        "eval \"$(scripts/services.sh env)\"");
  }
  ClusterAddresses out;
  out.uri = single.substr(0, at) + "@127.0.0.1:" + std::to_string(base) + "/%2f";
  for (int node = 2; node <= 3; ++node)
    out.hosts.push_back("127.0.0.1:" + std::to_string(base + node - 1));
  return out;
}

TestVhost::TestVhost(const std::string& name) : name_(identifier(name)) {
  services("vhost-add " + name_);
  const auto base = env_or("APPEALHUB_AMQP_URI", "");
  if (base.empty()) {
    throw std::runtime_error(
        "APPEALHUB_AMQP_URI is not set: run the tests through scripts/test.sh, or first "
        "eval \"$(scripts/services.sh env)\"");
  }
  const auto slash = base.find('/', base.find("://") + 3);
  uri_ = base.substr(0, slash) + "/" + name_;
}

TestVhost::~TestVhost() {
  try {
    services("vhost-delete " + name_);
  } catch (...) {
  }
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
                           const std::string& log_file)
    : argv_(std::move(argv)), env_(std::move(env)), log_file_(log_file) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) kill(SIGKILL);
}

void ChildProcess::start() {
  if (pid_ > 0) throw std::logic_error("child already running");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    for (const auto& [k, v] : env_)
      ::setenv(k.c_str(), v.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): child after fork
    std::vector<char*> args;
    for (auto& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
}

void ChildProcess::kill(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ChildProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return wait();
}

int ChildProcess::wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

long ChildProcess::peak_rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done,
                std::chrono::milliseconds every) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(every);
  }
}

std::vector<std::string> lines_containing(const std::string& log_file,
                                          const std::vector<std::string>& needles,
                                          std::size_t min_bytes) {
  std::vector<std::string> found;
  std::ifstream in(log_file);
  if (!in) throw std::runtime_error("cannot read " + log_file);
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    for (const auto& needle : needles) {
      if (needle.size() >= min_bytes && line.find(needle) != std::string::npos) {
        found.push_back("line " + std::to_string(number) + ": " + needle);
      }
    }
  }
  return found;
}

}  // namespace appealhub::testing
