#include "storage/disclosure_documents.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

std::int64_t insert_disclosure_document(pqxx::dbtransaction& txn, const DisclosureDocument& doc) {
  return txn
      .exec_params1(
          "INSERT INTO disclosure_documents (ticket_id, decision, fields, title, body, answer_id,"
          " created_by) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7) RETURNING id",
          doc.ticket_id, doc.decision, doc.fields_json, doc.title, doc.body, doc.answer_id,
          doc.created_by)[0]
      .as<std::int64_t>();
}

std::optional<DisclosureDocument> find_disclosure_document(pqxx::transaction_base& txn,
                                                           std::int64_t id) {
  const auto r =
      txn.exec_params("SELECT ticket_id, title, body FROM disclosure_documents WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  DisclosureDocument doc;
  doc.ticket_id = r[0][0].as<std::int64_t>();
  doc.title = r[0][1].as<std::string>();
  doc.body = r[0][2].as<std::string>();
  return doc;
}

}  // namespace appealhub::storage
