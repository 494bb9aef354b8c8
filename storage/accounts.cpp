#include "storage/accounts.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "storage/database.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

std::string array_literal(pqxx::dbtransaction& txn, const std::vector<std::string>& values) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += txn.quote(values[i]);
  }
  return out + "]::text[]";
}

constexpr const char* kUserColumns =
    "u.id, u.username, u.display_name, u.roles, u.departments, u.active";

User read_user(const pqxx::row& row) {
  User u;
  u.id = row[0].as<std::int64_t>();
  u.username = row[1].c_str();
  u.display_name = row[2].c_str();
  u.roles = text_array_of(row[3]);
  u.departments = text_array_of(row[4]);
  u.active = row[5].as<bool>();
  return u;
}

}  // namespace

bool User::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

User create_user(pqxx::dbtransaction& txn, const NewUser& user) {
  const auto taken = txn.exec("SELECT 1 FROM users WHERE username = " + txn.quote(user.username));
  if (!taken.empty()) throw std::invalid_argument("username: already taken");
  const auto row = txn.exec1(
      "INSERT INTO users AS u (username, display_name, password_hash, roles, departments) "
      "VALUES (" +
      txn.quote(user.username) + ", " + txn.quote(user.display_name) + ", " +
      txn.quote(user.password_hash) + ", " + array_literal(txn, user.roles) + ", " +
      array_literal(txn, user.departments) + ") RETURNING " + kUserColumns);
  return read_user(row);
}

std::optional<User> find_user(pqxx::dbtransaction& txn, std::int64_t id) {
  const auto rows = txn.exec(std::string("SELECT ") + kUserColumns +
                             " FROM users u WHERE u.id = " + std::to_string(id));
  if (rows.empty()) return std::nullopt;
  return read_user(rows[0]);
}

std::vector<User> list_users(pqxx::dbtransaction& txn) {
  std::vector<User> out;
  for (const auto& row :
       txn.exec(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.id")) {
    out.push_back(read_user(row));
  }
  return out;
}

std::optional<User> update_user(pqxx::dbtransaction& txn, std::int64_t id, const UserChange& c) {
  std::string sets = "updated_at = now()";
  if (c.display_name) sets += ", display_name = " + txn.quote(*c.display_name);
  if (c.password_hash) sets += ", password_hash = " + txn.quote(*c.password_hash);
  if (c.roles) sets += ", roles = " + array_literal(txn, *c.roles);
  if (c.departments) sets += ", departments = " + array_literal(txn, *c.departments);
  if (c.active) sets += std::string(", active = ") + (*c.active ? "true" : "false");
  const auto rows = txn.exec("UPDATE users AS u SET " + sets +
                             " WHERE u.id = " + std::to_string(id) + " RETURNING " + kUserColumns);
  if (rows.empty()) return std::nullopt;
  if (c.password_hash || (c.active && !*c.active)) {
    // A new password or a deactivation ends every session the user had.
    txn.exec0("DELETE FROM sessions WHERE user_id = " + std::to_string(id));
  }
  return read_user(rows[0]);
}

std::optional<Credentials> find_credentials(pqxx::dbtransaction& txn, const std::string& username) {
  const auto rows = txn.exec(
      std::string("SELECT ") + kUserColumns +
      ", u.password_hash FROM users u WHERE u.active AND u.username = " + txn.quote(username));
  if (rows.empty()) return std::nullopt;
  return Credentials{read_user(rows[0]), rows[0][6].c_str()};
}

FailureCounts count_login_failures(pqxx::dbtransaction& txn, const std::string& username,
                                   const std::string& remote, std::chrono::seconds window) {
  const std::string since = "now() - interval '" + std::to_string(window.count()) + " seconds'";
  const auto row = txn.exec1(
      "SELECT (SELECT count(*) FROM login_failures WHERE username = " + txn.quote(username) +
      " AND at > " + since + "), (SELECT count(*) FROM login_failures WHERE remote = " +
      txn.quote(remote) + " AND at > " + since +
      "), (SELECT coalesce(extract(epoch FROM now() - min(at))::bigint, 0) FROM login_failures "
      "WHERE username = " +
      txn.quote(username) + " AND at > " + since + ")");
  return {row[0].as<int>(), row[1].as<int>(), std::chrono::seconds(row[2].as<long long>())};
}

void record_login_failure(pqxx::dbtransaction& txn, const std::string& username,
                          const std::string& remote) {
  txn.exec0("INSERT INTO login_failures (username, remote) VALUES (" + txn.quote(username) + ", " +
            txn.quote(remote) + ")");
  // Old records are no use to throttling; keep the table small.
  txn.exec0("DELETE FROM login_failures WHERE at < now() - interval '1 day'");
}

void clear_login_failures(pqxx::dbtransaction& txn, const std::string& username) {
  txn.exec0("DELETE FROM login_failures WHERE username = " + txn.quote(username));
}

LoginGate open_login_attempt(pqxx::dbtransaction& txn, const std::string& username,
                             const std::string& remote, std::chrono::seconds window, int per_user,
                             int per_remote) {
  // Always the user's lock first, then the address's: no two attempts wait on each other in a
  // circle. The two-key form keeps these locks apart from the pollers' one-key leases.
  txn.exec("SELECT pg_advisory_xact_lock(7301, hashtext(" + txn.quote(username) + "))");
  txn.exec("SELECT pg_advisory_xact_lock(7302, hashtext(" + txn.quote(remote) + "))");
  const auto counts = count_login_failures(txn, username, remote, window);
  if (counts.by_user >= per_user || counts.by_remote >= per_remote) {
    return {false, std::max(std::chrono::seconds(1), window - counts.oldest_age)};
  }
  record_login_failure(txn, username, remote);
  return {true, {}};
}

void create_session(pqxx::dbtransaction& txn, const std::string& token_hash, std::int64_t user_id,
                    const std::string& csrf_token, std::chrono::seconds lifetime,
                    const std::string& remote) {
  txn.exec0("INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, remote) VALUES (" +
            txn.quote(token_hash) + ", " + std::to_string(user_id) + ", " + txn.quote(csrf_token) +
            ", now() + interval '" + std::to_string(lifetime.count()) + " seconds', " +
            txn.quote(remote) + ")");
  txn.exec0("DELETE FROM sessions WHERE expires_at < now() - interval '1 day'");
}

void delete_session(pqxx::dbtransaction& txn, const std::string& token_hash) {
  txn.exec0("DELETE FROM sessions WHERE token_hash = " + txn.quote(token_hash));
}

// Every authenticated request runs one of these two: prepared (see exec_prepared).
std::optional<Principal> find_session(pqxx::transaction_base& txn, const std::string& token_hash) {
  static const std::string sql = std::string("SELECT ") + kUserColumns +
                                 ", s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id "
                                 "WHERE u.active AND s.expires_at > now() AND s.token_hash = $1";
  const auto rows = exec_prepared(txn, "find_session", sql, token_hash);
  if (rows.empty()) return std::nullopt;
  return Principal{read_user(rows[0]), rows[0][6].c_str(), true};
}

std::optional<Principal> find_api_token(pqxx::transaction_base& txn,
                                        const std::string& token_hash) {
  static const std::string sql =
      std::string("SELECT ") + kUserColumns +
      " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.active AND t.revoked_at IS "
      "NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND t.token_hash = $1";
  const auto rows = exec_prepared(txn, "find_api_token", sql, token_hash);
  if (rows.empty()) return std::nullopt;
  return Principal{read_user(rows[0]), "", false};
}

void create_api_token(pqxx::dbtransaction& txn, const std::string& token_hash, std::int64_t user_id,
                      const std::string& name, std::optional<std::chrono::seconds> lifetime) {
  txn.exec0("INSERT INTO api_tokens (token_hash, user_id, name, expires_at) VALUES (" +
            txn.quote(token_hash) + ", " + std::to_string(user_id) + ", " + txn.quote(name) + ", " +
            (lifetime ? "now() + interval '" + std::to_string(lifetime->count()) + " seconds'"
                      : std::string("NULL")) +
            ")");
}

namespace {
std::string china_time(const std::string& column) {
  return "coalesce(to_char(" + column +
         " AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+08:00\"'), '')";
}
}  // namespace

std::vector<ApiTokenInfo> list_api_tokens(pqxx::dbtransaction& txn,
                                          std::optional<std::int64_t> user_id) {
  std::vector<ApiTokenInfo> out;
  for (const auto& r :
       txn.exec("SELECT t.id, t.name, u.username, " + china_time("t.created_at") + ", " +
                china_time("t.expires_at") + ", " + china_time("t.revoked_at") +
                " FROM api_tokens t JOIN users u ON u.id = t.user_id" +
                (user_id ? " WHERE t.user_id = " + std::to_string(*user_id) : std::string()) +
                " ORDER BY t.id DESC")) {
    out.push_back({r[0].as<std::int64_t>(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str(),
                   r[5].c_str()});
  }
  return out;
}

bool revoke_api_token(pqxx::dbtransaction& txn, std::int64_t token_id,
                      std::optional<std::int64_t> user_id) {
  const auto rows = txn.exec(
      "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = " +
      std::to_string(token_id) +
      (user_id ? " AND user_id = " + std::to_string(*user_id) : std::string()) + " RETURNING 1");
  return !rows.empty();
}

int revoke_api_tokens_named(pqxx::dbtransaction& txn, std::int64_t user_id,
                            const std::string& name) {
  return static_cast<int>(
      txn.exec("UPDATE api_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND user_id = " +
               std::to_string(user_id) + " AND name = " + txn.quote(name) + " RETURNING 1")
          .size());
}

std::optional<std::chrono::seconds> record_phone_search(pqxx::dbtransaction& txn,
                                                        const std::string& username,
                                                        const std::string& purpose,
                                                        const std::string& phone_masked,
                                                        int per_minute) {
  // Under a lock on the user, so parallel searches cannot pass the limit together.
  txn.exec("SELECT pg_advisory_xact_lock(7303, hashtext(" + txn.quote(username) + "))");
  const auto row = txn.exec1(
      "SELECT count(*), coalesce(60 - extract(epoch FROM now() - min(at))::bigint, 0) "
      "FROM phone_searches WHERE username = " +
      txn.quote(username) + " AND at > now() - interval '60 seconds'");
  if (row[0].as<int>() >= per_minute) {
    return std::chrono::seconds(std::max<long long>(1, row[1].as<long long>()));
  }
  txn.exec0("INSERT INTO phone_searches (username, purpose, phone_masked) VALUES (" +
            txn.quote(username) + ", " + txn.quote(purpose) + ", " + txn.quote(phone_masked) + ")");
  return std::nullopt;
}

}  // namespace appealhub::storage
