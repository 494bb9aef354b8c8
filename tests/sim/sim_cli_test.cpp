// appealhub-sim as a child process: the first stdout line names the port, secrets come from the
// environment, SIGTERM ends it with 0, a missing secret is a usage error.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
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

Child spawn(std::vector<std::string> args, const std::vector<std::string>& env) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  Child child;
  child.pid = fork();
  if (child.pid == 0) {
    dup2(fds[1], 1);
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

}  // namespace
}  // namespace appealhub::sim
