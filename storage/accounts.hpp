#pragma once
// Accounts in the store: users with roles and departments, browser sessions, program tokens and
// failed-login records. Secrets arrive already hashed (gateway/credentials.hpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

struct User {
  std::int64_t id = 0;
  std::string username, display_name;
  std::vector<std::string> roles;        // operator, staff, manager, admin
  std::vector<std::string> departments;  // for staff
  bool active = true;
  bool has_role(const std::string& role) const;
};

struct NewUser {
  std::string username, display_name, password_hash;
  std::vector<std::string> roles, departments;
};

// Throws std::invalid_argument("username: already taken") for a name in use.
User create_user(pqxx::dbtransaction& txn, const NewUser& user);
std::optional<User> find_user(pqxx::dbtransaction& txn, std::int64_t id);
std::vector<User> list_users(pqxx::dbtransaction& txn);

struct UserChange {
  std::optional<std::string> display_name, password_hash;
  std::optional<std::vector<std::string>> roles, departments;
  std::optional<bool> active;
};
// Applies the change; a deactivated user's sessions and tokens stop working at once.
std::optional<User> update_user(pqxx::dbtransaction& txn, std::int64_t id, const UserChange& c);

// The active user and their password hash, for a login.
struct Credentials {
  User user;
  std::string password_hash;
};
std::optional<Credentials> find_credentials(pqxx::dbtransaction& txn, const std::string& username);

// Failed logins within `window` for the user name and for the address.
struct FailureCounts {
  int by_user = 0, by_remote = 0;
  std::chrono::seconds oldest_age{0};  // age of the oldest failure counted for the user
};
FailureCounts count_login_failures(pqxx::dbtransaction& txn, const std::string& username,
                                   const std::string& remote, std::chrono::seconds window);
void record_login_failure(pqxx::dbtransaction& txn, const std::string& username,
                          const std::string& remote);
void clear_login_failures(pqxx::dbtransaction& txn, const std::string& username);

void create_session(pqxx::dbtransaction& txn, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, std::chrono::seconds lifetime,
                    const std::string& remote);
void delete_session(pqxx::dbtransaction& txn, const std::string& token_hash);

// Who holds a session or token: the active user, and the session's CSRF token ("" for tokens).
struct Principal {
  User user;
  std::string csrf_token;
  bool session = false;  // true: a browser session (changes need the CSRF token)
};
// One statement each: callers may use a nontransaction (one round trip per request).
std::optional<Principal> find_session(pqxx::transaction_base& txn, const std::string& token_hash);
std::optional<Principal> find_api_token(pqxx::transaction_base& txn, const std::string& token_hash);

void create_api_token(pqxx::dbtransaction& txn, const std::string& token_hash, std::int64_t user_id,
                      const std::string& name, std::optional<std::chrono::seconds> lifetime);

}  // namespace appealhub::storage
