// appealhub-sim as a child process: the first stdout line names the port, secrets come from the
// environment, SIGTERM ends it with 0, a missing secret is a usage error.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tests/sim/sim_client.hpp"

namespace appealhub::sim {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
  std::string first_line;
};

// Runs appealhub-sim ARGS; its stdout (and stderr, with `and_stderr`) is child.out.
Child spawn(std::vector<std::string> args, const std::vector<std::string>& env,
            bool and_stderr = false) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  Child child;
  child.pid = fork();
  if (child.pid == 0) {
    dup2(fds[1], 1);
    if (and_stderr) dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(APPEALHUB_SIM_PATH, argv.data());
    _exit(127);
  }
  close(fds[1]);
  child.out = fdopen(fds[0], "r");
  char line[256] = {};
  if (std::fgets(line, sizeof line, child.out)) child.first_line = line;
  return child;
}

int wait_exit(Child& child) {
  int status = 0;
  waitpid(child.pid, &status, 0);
  if (child.out) std::fclose(child.out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The rest of the child's output, once it has ended; its exit status in `exit_code`.
std::string output_of(Child& child, int& exit_code) {
  std::string out = child.first_line;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, child.out)) > 0;)
    out.append(buffer, n);
  exit_code = wait_exit(child);
  return out;
}

unsigned short port_of(const std::string& line) {
  const auto colon = line.rfind(':');
  return static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
}

TEST(SimCliTest, MailboxPrintsItsPortServesAndStopsOnSigterm) {
  Child child = spawn({"appealhub-sim", "mailbox", "--port", "0", "--rate", "0", "--token-env",
                       "SIM_CLI_TEST_TOKEN"},
                      {"SIM_CLI_TEST_TOKEN=cli-token"});
  ASSERT_EQ(child.first_line.rfind("listening 127.0.0.1:", 0), 0u) << child.first_line;
  const unsigned short port = port_of(child.first_line);
  EXPECT_EQ(testing::call(port, "GET", "/_sim/healthz").json().at("simulator"), "mailbox");
  EXPECT_EQ(
      testing::call(port, "GET", "/api/v1/letters", "", {{"Authorization", "Bearer cli-token"}})
          .status,
      200);
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child), 0);
}

TEST(SimCliTest, PetitionNeedsItsSecretAndAppId) {
  Child no_secret = spawn({"appealhub-sim", "petition", "--port", "0", "--app-id", "a",
                           "--secret-env", "SIM_CLI_TEST_UNSET_SECRET"},
                          {});
  EXPECT_EQ(wait_exit(no_secret), 2);
  Child ok = spawn({"appealhub-sim", "petition", "--port", "0", "--app-id", "gy", "--secret-env",
                    "SIM_CLI_TEST_SECRET", "--rate", "0"},
                   {"SIM_CLI_TEST_SECRET=abc"});
  ASSERT_EQ(ok.first_line.rfind("listening 127.0.0.1:", 0), 0u) << ok.first_line;
  EXPECT_EQ(testing::call(port_of(ok.first_line), "GET", "/_sim/healthz").json().at("simulator"),
            "petition");
  kill(ok.pid, SIGTERM);
  EXPECT_EQ(wait_exit(ok), 0);
  Child bad = spawn({"appealhub-sim", "mailbox", "--no-such-flag", "1"}, {});
  EXPECT_EQ(wait_exit(bad), 2);
}

TEST(SimCliTest, HelpNamesEachSimulatorsOptions) {
  const std::map<std::string, std::vector<std::string>> options{
      {"mailbox", {"--port", "--rate", "--token-env", "--fault-5xx", "--reindex-fraction"}},
      {"petition", {"--port", "--app-id", "--secret-env", "--webhook-url", "--reassign-fraction"}},
      {"hotline", {"--dir", "--rate", "--encoding", "--busy", "--once", "--ledger"}},
  };
  int exit_code = -1;
  Child top = spawn({"appealhub-sim", "--help"}, {});
  const auto top_help = output_of(top, exit_code);
  EXPECT_EQ(exit_code, 0);
  for (const auto& [simulator, names] : options) {
    EXPECT_NE(top_help.find("  " + simulator + " "), std::string::npos) << top_help;
    Child child = spawn({"appealhub-sim", simulator, "--help"}, {});
    const auto help = output_of(child, exit_code);
    EXPECT_EQ(exit_code, 0) << simulator;
    for (const auto& name : names) {
      EXPECT_NE(help.find("  " + name + " "), std::string::npos) << simulator << ": " << help;
    }
  }
}

TEST(SimCliTest, ABadArgumentIsAUsageErrorNamingIt) {
  const std::map<std::vector<std::string>, std::string> cases{
      {{"mailbox", "--no-such-flag", "1"},
       "appealhub-sim mailbox: unexpected argument '--no-such-flag'"},
      {{"mailbox", "--fault-5xx", "1.5"}, "--fault-5xx: 1.5 is not a fraction from 0 to 1"},
      {{"petition", "--port", "0"}, "appealhub-sim petition: --app-id is required"},
      {{"hotline", "--dir", "/nonexistent", "--rate", "0"}, "--rate: 0 is not above 0"},
      {{"hotline", "--dir", "/nonexistent", "--encoding", "latin1"}, "unknown encoding 'latin1'"},
      {{"mailbox-sim"}, "appealhub-sim: no simulator 'mailbox-sim'"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv{"appealhub-sim"};
    argv.insert(argv.end(), args.begin(), args.end());
    Child child = spawn(argv, {}, /*and_stderr=*/true);
    int exit_code = -1;
    const auto output = output_of(child, exit_code);
    EXPECT_EQ(exit_code, 2) << output;
    EXPECT_NE(output.find(message), std::string::npos) << output;
  }
}

}  // namespace
}  // namespace appealhub::sim
