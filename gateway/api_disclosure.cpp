// Reply documents for 依申请公开 (docs/knowledge.md, "Reply documents"): the forms and their
// fields, a document made for a ticket (optionally sent at once as the ticket's final answer, with
// exactly the document's text), and its DOCX.

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/deadline.hpp"
#include "core/time.hpp"
#include "documents/disclosure_reply.hpp"
#include "documents/docx.hpp"
#include "gateway/api_internal.hpp"
#include "storage/disclosure_documents.hpp"
#include "storage/ticket_work.hpp"

namespace appealhub::gateway::detail {
namespace {

// "YYYY-MM-DD" of an instant in China (UTC+8).
std::string china_date_text(std::chrono::sys_seconds instant) {
  const auto d = core::china_date(instant);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

http::Response list_forms(Context& ctx) {
  ctx.allow_query({});
  nlohmann::json forms = nlohmann::json::array();
  for (const auto& f : documents::disclosure_forms()) {
    forms.push_back(
        {{"decision", f.decision}, {"name", f.name}, {"article", f.article}, {"fields", f.fields}});
  }
  return json_response(
      200, {{"forms", forms}, {"common_fields", documents::common_disclosure_fields()}});
}

// Staff of the lead department make a document for their ticket; what the ticket knows (the
// requester, the request's date and number, what was asked) fills the fields not given.
http::Response create_document(Context& ctx) {
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  // Whether the ticket is theirs comes before anything about the input (as for answers).
  const auto t = storage::find_ticket(txn, id);
  if (!t) not_found("ticket " + std::to_string(id));
  require_ticket_visible(ctx, *t);
  const auto& mine = ctx.user().departments;
  if (std::find(mine.begin(), mine.end(), t->lead) == mine.end()) {
    forbidden("only staff of the lead department (" + t->lead + ") may do this");
  }
  Body body(ctx.request);
  const auto decision = *body.string("decision", true, 32);
  auto fields = body.object("fields", true).value_or(nlohmann::json::object());
  const auto send = body.boolean("send", false).value_or(false);
  body.finish();
  const auto fill = [&](const char* name, const std::string& value) {
    if (!fields.contains(name) && !value.empty()) fields[name] = value;
  };
  fill("request_date", china_date_text(t->received_at));
  fill("request_number", t->external_id);
  fill("requested", t->title);
  fill("requester", t->anonymous ? std::string() : t->citizen_name);
  fill("reply_date", china_date_text(std::chrono::time_point_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now())));
  const auto doc = documents::render_disclosure(decision, fields);
  if (!doc.errors.empty())
    bad_request(doc.errors.front().substr(0, doc.errors.front().find(':')),
                doc.errors.front().substr(doc.errors.front().find(':') + 2));
  const auto text = doc.text();
  nlohmann::json sent;
  if (send) sent = write_answer(ctx, txn, id, "final_answer", text, false, std::nullopt);
  const auto document_id = storage::insert_disclosure_document(
      txn,
      {id, decision, fields.dump(), doc.title, text,
       send ? std::optional<std::int64_t>(sent["answer_id"].get<std::int64_t>()) : std::nullopt,
       ctx.user().username});
  storage::append_ticket_event(
      txn, id, "disclosure.document", ctx.user().username,
      {{"document_id", document_id}, {"decision", decision}, {"title", doc.title}, {"sent", send}});
  txn.commit();
  return json_response(
      201, {{"id", document_id},
            {"ticket_id", id},
            {"decision", decision},
            {"title", doc.title},
            {"text", text},
            {"paragraphs", doc.paragraphs},
            {"answer", send ? sent : nlohmann::json()},
            {"docx", "/api/v1/disclosure-documents/" + std::to_string(document_id) + "/docx"}});
}

http::Response download_docx(Context& ctx) {
  ctx.allow_query({});
  const auto id = ctx.id_param();
  pqxx::read_transaction txn(ctx.db);
  const auto document = storage::find_disclosure_document(txn, id);
  if (!document) not_found("document " + std::to_string(id));
  const auto t = storage::find_ticket(txn, document->ticket_id);
  if (!t) not_found("document " + std::to_string(id));
  require_ticket_visible(ctx, *t);
  std::vector<std::string> paragraphs;
  const auto& body = document->body;
  for (std::size_t start = 0;;) {
    const auto nl = body.find('\n', start);
    paragraphs.push_back(body.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  http::Response out;
  out.set_header("Content-Type",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  out.set_header("Content-Disposition",
                 "attachment; filename=\"disclosure-" + std::to_string(id) + ".docx\"");
  out.body = documents::make_docx(document->title, paragraphs);
  return out;
}

}  // namespace

std::vector<RouteDef> disclosure_routes() {
  const std::set<std::string> workers{"operator", "staff", "manager"};
  return {
      {"GET", "/api/v1/disclosure/forms", workers, list_forms},
      {"POST", "/api/v1/tickets/{id}/disclosure-documents", {"staff"}, create_document, 64 * 1024},
      {"GET", "/api/v1/disclosure-documents/{id}/docx", workers, download_docx},
  };
}

}  // namespace appealhub::gateway::detail
