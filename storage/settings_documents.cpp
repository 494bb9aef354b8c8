#include "storage/settings_documents.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

std::optional<SettingsDocument> current_document(pqxx::dbtransaction& txn,
                                                 const std::string& name) {
  const auto rows = txn.exec_params(
      "SELECT version, body::text, created_by FROM settings_documents WHERE name = $1"
      " ORDER BY version DESC LIMIT 1",
      name);
  if (rows.empty()) return std::nullopt;
  return SettingsDocument{name, rows[0][0].as<int>(), rows[0][1].as<std::string>(),
                          rows[0][2].as<std::string>()};
}

int save_document(pqxx::dbtransaction& txn, const std::string& name, const std::string& body,
                  const std::string& created_by) {
  // Serializes saves of one document so that two admins cannot both write version N+1.
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext('settings:' || $1))", name);
  return txn
      .exec_params1(
          "INSERT INTO settings_documents (name, version, body, created_by)"
          " SELECT $1, coalesce(max(version), 0) + 1, $2::jsonb, $3 FROM settings_documents"
          " WHERE name = $1 RETURNING version",
          name, body, created_by)[0]
      .as<int>();
}

bool seed_document(pqxx::dbtransaction& txn, const std::string& name, const std::string& body) {
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext('settings:' || $1))", name);
  return !txn.exec_params(
                 "INSERT INTO settings_documents (name, version, body, created_by)"
                 " SELECT $1, 1, $2::jsonb, 'shipped default' WHERE NOT EXISTS"
                 " (SELECT 1 FROM settings_documents WHERE name = $1) RETURNING version",
                 name, body)
              .empty();
}

std::map<std::string, int> current_versions(pqxx::dbtransaction& txn) {
  std::map<std::string, int> out;
  for (const auto& row :
       txn.exec("SELECT name, max(version) FROM settings_documents GROUP BY name")) {
    out[row[0].as<std::string>()] = row[1].as<int>();
  }
  return out;
}

}  // namespace appealhub::storage
