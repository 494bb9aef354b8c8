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

// A login attempt is counted as a failure before its password is checked (the check takes a
// deliberate fraction of a second), so parallel attempts cannot pass the limit together: under a
// lock on the user name and on the address, the counts are read and, while under the limits, a
// failure is recorded at once. A successful login then clears the user's failures.
struct LoginGate {
  bool allowed = false;
  std::chrono::seconds retry_after{0};  // when refused: until the oldest counted failure ages out
};
LoginGate open_login_attempt(pqxx::dbtransaction& txn, const std::string& username,
                             const std::string& remote, std::chrono::seconds window, int per_user,
                             int per_remote);

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

struct ApiTokenInfo {
  std::int64_t id = 0;
  std::string name, username;
  std::string created_at, expires_at, revoked_at;  // RFC 3339 (+08:00); "" when none
};
// A user's tokens (every user's when user_id is nullopt), newest first; never the secret.
std::vector<ApiTokenInfo> list_api_tokens(pqxx::dbtransaction& txn,
                                          std::optional<std::int64_t> user_id);
// Revokes a token (only the user's own unless user_id is nullopt); false when there is no such
// token for them. Revoking a revoked token is not an error.
bool revoke_api_token(pqxx::dbtransaction& txn, std::int64_t token_id,
                      std::optional<std::int64_t> user_id);
// Revokes every live token of the user with that name; returns how many.
int revoke_api_tokens_named(pqxx::dbtransaction& txn, std::int64_t user_id,
                            const std::string& name);

// Records a caller-history search by phone, unless the user already made `per_minute` in the last
// minute: then nothing is recorded and the answer is the seconds until one ages out.
std::optional<std::chrono::seconds> record_phone_search(pqxx::dbtransaction& txn,
                                                        const std::string& username,
                                                        const std::string& purpose,
                                                        const std::string& phone_masked,
                                                        int per_minute);

}  // namespace appealhub::storage
