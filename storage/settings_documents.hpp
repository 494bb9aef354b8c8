#pragma once
// Versioned configuration documents in the database (departments, routing rules, calendar days),
// shared by every process. Saving writes a new version; the highest version is current; every
// save sends NOTIFY appealhub_settings with the document's name. Validation is the caller's:
// only a document that parsed without errors should be saved.

#include <map>
#include <optional>
#include <string>

namespace pqxx {
class dbtransaction;
}

namespace appealhub::storage {

struct SettingsDocument {
  std::string name;
  int version = 0;
  std::string body;  // JSON text
  std::string created_by;
};

std::optional<SettingsDocument> current_document(pqxx::dbtransaction& txn, const std::string& name);

// Saves `body` as the next version of `name`; returns that version.
int save_document(pqxx::dbtransaction& txn, const std::string& name, const std::string& body,
                  const std::string& created_by);

// Saves `body` as version 1 when `name` has no version yet; returns whether it did.
bool seed_document(pqxx::dbtransaction& txn, const std::string& name, const std::string& body);

// The current version of every document, to notice changes cheaply.
std::map<std::string, int> current_versions(pqxx::dbtransaction& txn);

}  // namespace appealhub::storage
