// The command line of `appealhub` (app/main.cpp), run as the built binary: every subcommand's
// --help names its arguments, and a bad argument is a usage error (exit 2) that names it. No
// server is needed: nothing here gets past the command line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Outcome appealhub(const std::string& args) {
  const std::string command = std::string(APPEALHUB_PATH) + " " + args + " 2>&1 </dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  Outcome outcome;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
    outcome.output.append(buffer, n);
  }
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// Each subcommand that does something, with the arguments its --help must name.
const std::map<std::string, std::vector<std::string>> kCommands{
    {"run", {}},
    {"migrate", {}},
    {"topology", {}},
    {"intake", {}},
    {"relay", {}},
    {"watch", {}},
    {"hotline12328", {}},
    {"mailbox", {}},
    {"petition", {}},
    {"deliver", {}},
    {"gateway", {}},
    {"user add", {"NAME", "--role", "--department", "--display-name"}},
    {"user token", {"NAME", "LABEL"}},
    {"user revoke-token", {"NAME", "LABEL"}},
    {"settings show", {"NAME"}},
    {"settings load", {"NAME", "FILE"}},
    {"unmerge", {"TICKET", "REASON"}},
    {"dead-letters list", {"LIMIT"}},
    {"dead-letters replay", {"LIMIT"}},
    {"health", {}},
    {"check", {}},
};

// The names listed under "Subcommands:" in a help text.
std::set<std::string> listed_subcommands(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help.substr(help.find("Subcommands:")));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && !line.empty()) {
    if (line.rfind("   ", 0) != 0) names.insert(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

TEST(CommandLine, HelpListsEverySubcommand) {
  const auto help = appealhub("--help");
  EXPECT_EQ(help.exit_code, 0);
  std::map<std::string, std::set<std::string>> groups;  // "" for the top level
  for (const auto& [command, arguments] : kCommands) {
    const auto space = command.find(' ');
    if (space == std::string::npos) {
      groups[""].insert(command);
    } else {
      groups[""].insert(command.substr(0, space));
      groups[command.substr(0, space)].insert(command.substr(space + 1));
    }
  }
  for (const auto& [group, names] : groups) {
    const auto outcome = group.empty() ? help : appealhub(group + " --help");
    EXPECT_EQ(outcome.exit_code, 0) << group;
    EXPECT_EQ(listed_subcommands(outcome.output), names) << "appealhub " << group << " --help";
  }
  EXPECT_NE(help.output.find("--config FILE"), std::string::npos) << help.output;
}

TEST(CommandLine, EachSubcommandsHelpNamesItsArguments) {
  for (const auto& [command, arguments] : kCommands) {
    const auto help = appealhub(command + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.output.find("Usage: appealhub " + command), std::string::npos) << help.output;
    for (const auto& argument : arguments) {
      EXPECT_NE(help.output.find("  " + argument + " "), std::string::npos)
          << command << " --help does not name " << argument << ":\n"
          << help.output;
    }
    // Every subcommand takes --config, after its own arguments as the scripts write it.
    EXPECT_NE(help.output.find("  --config FILE"), std::string::npos) << help.output;
  }
}

TEST(CommandLine, AnUnknownOptionIsAUsageErrorNamingIt) {
  for (const auto& [command, arguments] : kCommands) {
    const auto outcome = appealhub(command + " --no-such-flag 1");
    EXPECT_EQ(outcome.exit_code, 2) << command << ": " << outcome.output;
    EXPECT_NE(
        outcome.output.find("appealhub " + command + ": unexpected argument '--no-such-flag'"),
        std::string::npos)
        << outcome.output;
  }
}

TEST(CommandLine, BadArgumentsAreUsageErrorsNamingThem) {
  const std::map<std::string, std::string> cases{
      {"", "appealhub: the appeals hub"},  // no subcommand: the help, on stderr
      {"rnu", "appealhub: no subcommand 'rnu'"},
      {"user", "appealhub user: A subcommand is required"},
      {"user add ops", "appealhub user add: --role is required"},
      {"user add ops --role boss", "appealhub user add: --role: boss not in"},
      {"user token ops", "appealhub user token: LABEL is required"},
      {"settings load departments", "appealhub settings load: FILE is required"},
      {"unmerge 12x why", "appealhub unmerge: Could not convert: TICKET = 12x"},
      {"unmerge 12 why not", "appealhub unmerge: unexpected argument 'not'"},
      {"dead-letters list 1000000", "appealhub dead-letters list: LIMIT: Value 1000000"},
      {"run migrate", "appealhub run: unexpected argument 'migrate'"},
      {"run --config", "appealhub run: --config: 1 required FILE missing"},
  };
  for (const auto& [args, message] : cases) {
    const auto outcome = appealhub(args);
    EXPECT_EQ(outcome.exit_code, 2) << args << ": " << outcome.output;
    EXPECT_NE(outcome.output.find(message), std::string::npos) << args << ": " << outcome.output;
  }
}

TEST(CommandLine, ConfigMayComeBeforeOrAfterTheSubcommand) {
  for (const std::string args :
       {"--config /no/such/file.json check", "check --config /no/such/file.json",
        "user add ops --role staff --config /no/such/file.json"}) {
    const auto outcome = appealhub(args);
    EXPECT_EQ(outcome.exit_code, 2) << args;  // the file is read: it cannot be
    EXPECT_NE(outcome.output.find("/no/such/file.json: cannot be read"), std::string::npos)
        << args << ": " << outcome.output;
  }
  EXPECT_EQ(appealhub("check").output, "configuration ok\n");
}

}  // namespace
