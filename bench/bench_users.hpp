#pragma once
// A bench's user with an API token, as a department's program would hold one.

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "gateway/credentials.hpp"
#include "storage/accounts.hpp"

namespace appealhub::bench {

// Makes a user named `prefix` + part of the token, with `roles` and `departments`, and returns
// the new API token (its password is never used).
inline std::string api_token_for(pqxx::connection& db, const std::string& prefix,
                                 std::vector<std::string> roles,
                                 std::vector<std::string> departments) {
  const std::string token = gateway::random_token();
  pqxx::work txn(db);
  const auto user = storage::create_user(
      txn, {prefix + token.substr(0, 8), "", gateway::hash_password("not used in this bench", 1),
            std::move(roles), std::move(departments)});
  storage::create_api_token(txn, gateway::token_hash(token), user.id, "bench", std::nullopt);
  txn.commit();
  return token;
}

}  // namespace appealhub::bench
