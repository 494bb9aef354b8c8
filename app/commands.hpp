#pragma once
// The one-shot subcommands of `appealhub` (the command line is app/main.cpp): each gets the
// configuration and its arguments already checked, prints what it did and returns the exit code
// (0 done, 1 refused or failed; database and broker errors are thrown).

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/app_config.hpp"
#include "storage/accounts.hpp"

namespace appealhub::app {

// Applies pending migrations, then seeds the shipped routing settings and knowledge entries.
int migrate(const config::AppConfig& c);
int declare_topology(const config::AppConfig& c);
// Prints the health report (JSON); 1 when something needs a person.
int print_health(const config::AppConfig& c);

int show_settings(const config::AppConfig& c, const std::string& name);
// Validates `file` and stores it as the next version of `name`; nothing stored on errors.
int load_settings(const config::AppConfig& c, const std::string& name, const std::string& file);

int unmerge(const config::AppConfig& c, std::int64_t ticket, const std::string& reason);

// Lists (one JSON line each, no bodies) or replays up to `limit` dead letters.
int dead_letters(const config::AppConfig& c, bool replay, std::size_t limit);

// `user` has its username, roles, departments and display name; the password is read from
// APPEALHUB_NEW_USER_PASSWORD, else from the first line of standard input. 2 for a weak password.
int add_user(const config::AppConfig& c, storage::NewUser user);
int issue_token(const config::AppConfig& c, const std::string& username, const std::string& label);
int revoke_tokens(const config::AppConfig& c, const std::string& username,
                  const std::string& label);

}  // namespace appealhub::app
