#pragma once
// Reply documents for 依申请公开 (migration 0016, docs/knowledge.md): the rendered text of each
// document made for a ticket, kept so that it can be downloaded again as DOCX.

#include <cstdint>
#include <optional>
#include <string>

namespace pqxx {
class dbtransaction;
class transaction_base;
}  // namespace pqxx

namespace appealhub::storage {

struct DisclosureDocument {
  std::int64_t ticket_id = 0;
  std::string decision;
  std::string fields_json;  // the form's fields as filled
  std::string title, body;
  std::optional<std::int64_t> answer_id;  // when it was also sent as the ticket's answer
  std::string created_by;
};

// Stores a document; returns its id.
std::int64_t insert_disclosure_document(pqxx::dbtransaction& txn, const DisclosureDocument& doc);

// The document `id` (ticket_id, title and body are read), or nullopt.
std::optional<DisclosureDocument> find_disclosure_document(pqxx::transaction_base& txn,
                                                           std::int64_t id);

}  // namespace appealhub::storage
