// appealhub: one executable, one subcommand per part; `run` starts every part in one process.
// This file is the command line (CLI11): the subcommands, their arguments and help. What each
// does is in app/commands.cpp (one-shot) and app/parts.cpp (the long-running parts).

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "app/commands.hpp"
#include "app/parts.hpp"
#include "config/app_config.hpp"
#include "core/log.hpp"

namespace {

using namespace appealhub;

constexpr const char* kEnvironment =
    R"(Secrets come from the environment: APPEALHUB_PG_PASSWORD, APPEALHUB_AMQP_PASSWORD (names
configurable); APPEALHUB_PG_URI and APPEALHUB_AMQP_URI override the connection strings,
APPEALHUB_AMQP_HOSTS (host:port,...) the broker cluster's further nodes (broker.hosts).
Each subcommand has its own --help.)";

// Where the descriptions start in --help, and how wide they may be.
constexpr std::size_t kNameColumn = 26, kDescriptionWidth = 100 - kNameColumn;

// CLI11 2.1 does not wrap; a description's lines after the first are indented to its column.
std::string wrapped(const std::string& text) {
  std::string out, line;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (!line.empty() && line.size() + 1 + word.size() > kDescriptionWidth) {
      out += line + '\n';
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

// What the chosen subcommand does once the configuration is loaded.
using Action = std::function<int(const config::AppConfig&)>;

// "appealhub user add": the subcommands being parsed, for messages.
std::string command_path(const CLI::App& cli) {
  std::string path = cli.get_name();
  for (const CLI::App* sub = &cli; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    path += " " + sub->get_name();
  }
  return path;
}

// The arguments of every subcommand; `action` is set to the one on the command line.
struct CommandLine {
  CLI::App cli{
      "appealhub: the appeals hub, one subcommand per part; `run` runs every part at once.",
      "appealhub"};
  std::string config_path;
  Action action;
  storage::NewUser new_user;
  std::string username, label, document, file, reason;
  std::int64_t ticket = 0;
  std::size_t limit = 100;

  // A subcommand that groups others (`user add`, `user token`).
  static CLI::App* group(CLI::App& parent, const std::string& name, const std::string& help) {
    auto* sub = parent.add_subcommand(name, wrapped(help));
    sub->require_subcommand(1);
    return sub;
  }

  // A subcommand that does something; --config is listed in its help (it is accepted anywhere).
  CLI::App* command(CLI::App& parent, const std::string& name, const std::string& help,
                    Action body) {
    auto* sub = parent.add_subcommand(name, wrapped(help));
    sub->callback([this, body = std::move(body)] { action = body; });
    config_option(*sub);
    return sub;
  }

  void config_option(CLI::App& app) {
    app.add_option("--config", config_path,
                   "JSON configuration (docs/configuration.md); defaults without it")
        ->type_name("FILE")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }

  CommandLine() {
    cli.require_subcommand(1);
    cli.fallthrough();  // --config may also follow a subcommand's arguments, as scripts write it
    cli.get_formatter()->column_width(kNameColumn);
    config_option(cli);

    add_parts();
    add_user_commands();
    add_settings_commands();
    add_repair_commands();
    command(cli, "health", "print the health report (JSON); exit 1 when something needs a person",
            app::print_health);
    command(cli, "check", "validate the configuration and exit", [](const auto&) {
      std::cout << "configuration ok\n";
      return 0;
    });
    cli.footer(kEnvironment);  // after the subcommands: theirs would inherit it
  }

  // run, and each part alone (migrate, topology, the services).
  void add_parts() {
    command(cli, "run", "migrate, declare the bus topology, then run every part in this process",
            [](const auto& c) { return app::run_command(c, "run"); });
    command(cli, "migrate", "apply pending database migrations and exit", app::migrate);
    command(cli, "topology", "declare the exchanges and queues on the broker and exit",
            app::declare_topology);
    for (const auto& part : app::parts()) {
      command(cli, part.name, part.help,
              [name = std::string(part.name)](const auto& c) { return app::run_command(c, name); });
    }
  }

  // user add, token, revoke-token.
  void add_user_commands() {
    auto* user = group(cli, "user",
                       "add users (roles: operator, staff, manager, admin), issue and revoke "
                       "their API tokens");
    auto* add = command(*user, "add",
                        "create a user; the password is read from APPEALHUB_NEW_USER_PASSWORD, "
                        "or from the first line of standard input",
                        [this](const auto& c) { return app::add_user(c, new_user); });
    add->add_option("NAME", new_user.username, "the login name")->required();
    add->add_option("--role", new_user.roles, "a role (repeat the option for several)")
        ->type_name("ROLE")
        ->required()
        ->allow_extra_args(false)
        ->check(CLI::IsMember({"operator", "staff", "manager", "admin"}));
    add->add_option("--department", new_user.departments,
                    "a department's code (repeat the option for several)")
        ->type_name("CODE")
        ->allow_extra_args(false);
    add->add_option("--display-name", new_user.display_name, "the name shown to others")
        ->type_name("TEXT");
    auto* token = command(*user, "token",
                          "print a new API bearer token for the user (shown once; lasts "
                          "gateway.token_days)",
                          [this](const auto& c) { return app::issue_token(c, username, label); });
    auto* revoke =
        command(*user, "revoke-token", "revoke the user's live tokens called LABEL",
                [this](const auto& c) { return app::revoke_tokens(c, username, label); });
    for (auto* sub : {token, revoke}) {
      sub->add_option("NAME", username, "the user's login name")->required();
      sub->add_option("LABEL", label, "the token's label")->required();
    }
  }

  // settings show, load.
  void add_settings_commands() {
    auto* settings =
        group(cli, "settings",
              "the routing settings documents (departments, routing_rules, calendar_days)");
    command(*settings, "show", "print the current version of settings document NAME",
            [this](const auto& c) { return app::show_settings(c, document); })
        ->add_option("NAME", document, "departments, routing_rules or calendar_days")
        ->required();
    auto* load = command(*settings, "load",
                         "validate FILE and store it as the next version of NAME; running routers "
                         "pick it up within seconds, or keep the old on errors",
                         [this](const auto& c) { return app::load_settings(c, document, file); });
    load->add_option("NAME", document, "departments, routing_rules or calendar_days")->required();
    load->add_option("FILE", file, "the new version (JSON)")->required();
  }

  // What an administrator repairs by hand: a wrong merge, dead letters.
  void add_repair_commands() {
    auto* unmerge =
        command(cli, "unmerge", "undo a duplicate merge: the ticket is placed on its own",
                [this](const auto& c) { return app::unmerge(c, ticket, reason); });
    unmerge->add_option("TICKET", ticket, "the merged ticket's id")->required();
    unmerge->add_option("REASON", reason, "why, for the ticket's history")->required();

    auto* dead = group(cli, "dead-letters",
                       "the dead-letter queue (appeals.dead): list it, or replay messages to "
                       "where they were first published");
    for (const bool replay : {false, true}) {
      command(*dead, replay ? "replay" : "list",
              replay ? "put up to LIMIT messages back where they were first published"
                     : "print up to LIMIT messages, one JSON line each (no bodies)",
              [this, replay](const auto& c) { return app::dead_letters(c, replay, limit); })
          ->add_option("LIMIT", limit, "how many at most (up to 999999)")
          ->type_name("N")
          ->capture_default_str()
          ->check(CLI::Range(0, 999999).description(""));
    }
  }

  // The exit code when the command line is not to be run: 0 after --help, 2 for a usage error
  // (the message names the subcommand and the argument at fault).
  std::optional<int> parse(int argc, char** argv) {
    if (argc < 2) {
      std::cerr << cli.help();
      return 2;
    }
    try {
      cli.parse(argc, argv);
      return std::nullopt;
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return cli.exit(e);
      const auto path = command_path(cli);
      std::string message = e.what();
      // An argument nothing took is the first thing to fix (CLI11 would rather report a missing
      // one), and a misspelt subcommand is not a missing one.
      if (const auto extra = cli.remaining(true); !extra.empty()) {
        message = message == "A subcommand is required"
                      ? "no subcommand '" + extra.front() + "'"
                      : "unexpected argument '" + extra.front() + "'";
      }
      std::cerr << path << ": " << message << "\nRun `" << path << " --help` for its usage.\n";
      return 2;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  core::set_log_sink([](std::string_view line) {
    std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
    std::cerr.put('\n');
  });
  CommandLine line;
  if (const auto exit_code = line.parse(argc, argv)) return *exit_code;
  auto load = config::load_config(line.config_path);
  if (!load.errors.empty()) {
    for (const auto& e : load.errors) std::cerr << "appealhub: " << e.to_string() << '\n';
    return 2;
  }
  auto& c = load.config;
  config::apply_environment(c);
  if (auto level = core::parse_log_level(c.log_level)) core::set_log_level(*level);
  app::install_stop_signals();
  const auto command = line.cli.get_subcommands().front()->get_name();
  try {
    return line.action(c);
  } catch (const std::exception& e) {
    core::log_error("app", "failed", {{"command", command}, {"error", e.what()}});
    return 1;
  }
}
