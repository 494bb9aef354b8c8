// The knowledge base's routes (docs/knowledge.md): entries and their versions, search and
// suggestions, the operator's instant answer (即时答复) that answers and closes a phone
// consultation with an entry, and staff's suggested answers on a ticket. Editing follows the
// roles: managers edit every entry, staff the entries their departments own.

#include <algorithm>

#include "gateway/api_internal.hpp"
#include "storage/knowledge.hpp"
#include "storage/ticket_work.hpp"

namespace appealhub::gateway::detail {
namespace {

const std::set<std::string> kEntryStates = {"draft", "published", "expired"};
// What an operator can answer at once: a consultation still waiting for its answer.
const std::set<std::string> kInstantStatuses = {"received", "triage", "assigned", "in_progress"};

constexpr long long kMaxVersion = 2147483647;
constexpr std::size_t kMaxNoteBytes = 2000;

bool owns(const Context& ctx, const std::string& department) {
  const auto& mine = ctx.user().departments;
  return std::find(mine.begin(), mine.end(), department) != mine.end();
}

// Managers edit every entry; staff the entries their departments own, and only for them.
void require_editor(const Context& ctx, const std::string& department) {
  if (ctx.is("manager")) return;
  if (!ctx.is("staff") || !owns(ctx, department)) {
    forbidden("only managers and staff of the owner department (" + department +
              ") may change this entry");
  }
}

// An entry from the body (storage::entry_from_json), with the version it changes when
// `expected_version` is given (a version sent to create one is ignored) and a note.
storage::KnowledgeEntry entry_body(Context& ctx, int* expected_version, std::string& note) {
  Body body(ctx.request);
  storage::KnowledgeEntry entry;
  body.read([&](core::JsonReader& r) {
    entry = storage::entry_from_json(r);
    const auto* version = r.take("version");
    if (expected_version && (version == nullptr || !version->is_number_integer())) {
      r.fail_at("version", "required, the version you changed");
    } else if (expected_version) {
      *expected_version = static_cast<int>(r.integer("version", 0, kMaxVersion).value_or(0));
    }
    if (r.text("note", note) && note.size() > kMaxNoteBytes) {
      r.fail_at("note", "at most " + std::to_string(kMaxNoteBytes) + " bytes");
    }
  });
  body.finish();
  const auto setup = ctx.services.routing();
  const auto* d = setup->departments->find(entry.owner_department);
  if (!d) bad_request("owner_department", "unknown department '" + entry.owner_department + "'");
  return entry;
}

nlohmann::json hits_json(const std::vector<storage::KnowledgeHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hits) {
    auto j = storage::to_json(h.entry);
    j["score"] = std::round(h.score * 1000) / 1000;
    out.push_back(std::move(j));
  }
  return out;
}

http::Response list_entries(Context& ctx) {
  ctx.allow_query({"q", "division", "state", "department", "review_due", "limit", "offset"});
  const int limit = query_int(ctx, "limit", 50, 1, 200);
  const int offset = query_int(ctx, "offset", 0, 0, 1000000);
  const auto q = ctx.request.query_param("q").value_or("");
  pqxx::read_transaction txn(ctx.db);
  if (!q.empty()) {
    // A search: published entries, best first.
    if (q.size() > 4000) bad_request("q", "at most 4000 bytes");
    const auto division = ctx.request.query_param("division").value_or("");
    return json_response(
        200, {{"entries", hits_json(storage::search_entries(txn, q, division, limit))}});
  }
  storage::EntryFilter f;
  for (const auto& s : split_list(ctx.request.query_param("state").value_or(""))) {
    if (!kEntryStates.contains(s)) bad_request("state", "unknown state '" + s + "'");
    f.states.push_back(s);
  }
  const auto department = ctx.request.query_param("department").value_or("");
  if (department == "mine") {
    f.departments = ctx.user().departments;
    if (f.departments.empty()) f.departments = {"-"};  // nobody's
  } else {
    f.departments = split_list(department);
  }
  if (const auto due = ctx.request.query_param("review_due")) {
    if (*due != "true" && *due != "false") bad_request("review_due", "true or false");
    f.review_due = *due == "true";
  }
  f.limit = limit;
  f.offset = offset;
  auto rows = storage::list_entries(txn, f);
  const bool more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.pop_back();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : rows) out.push_back(storage::to_json(e));
  return json_response(200,
                       {{"entries", out},
                        {"next_offset", more ? nlohmann::json(offset + limit) : nlohmann::json()}});
}

http::Response get_entry(Context& ctx) {
  ctx.allow_query({});
  const auto id = ctx.id_param();
  pqxx::read_transaction txn(ctx.db);
  const auto entry = storage::find_entry(txn, id);
  if (!entry) not_found("knowledge entry " + std::to_string(id));
  auto out = storage::to_json(*entry);
  out["versions"] = storage::entry_versions(txn, id);
  out["may_edit"] = ctx.is("manager") || (ctx.is("staff") && owns(ctx, entry->owner_department));
  return json_response(200, out);
}

http::Response create_entry(Context& ctx) {
  std::string note;
  const auto entry = entry_body(ctx, nullptr, note);
  require_editor(ctx, entry.owner_department);
  pqxx::work txn(ctx.db);
  const auto id = storage::create_entry(txn, entry, ctx.user().username, note);
  const auto stored = storage::find_entry(txn, id);
  txn.commit();
  return json_response(201, storage::to_json(*stored));
}

http::Response update_entry(Context& ctx) {
  std::string note;
  int expected = 0;
  auto entry = entry_body(ctx, &expected, note);
  entry.id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto current = storage::find_entry(txn, entry.id);
  if (!current) not_found("knowledge entry " + std::to_string(entry.id));
  require_editor(ctx, current->owner_department);
  require_editor(ctx, entry.owner_department);  // staff cannot give an entry away
  const auto version = storage::update_entry(txn, entry, expected, ctx.user().username, note);
  if (!version) {
    throw ApiError(409, "version_conflict",
                   "version: the entry is at version " + std::to_string(current->version) +
                       "; reload it and apply your change again");
  }
  const auto stored = storage::find_entry(txn, entry.id);
  txn.commit();
  return json_response(200, storage::to_json(*stored));
}

// Suggestions while an appeal is being written (the operator's phone intake): {title, content,
// division, limit}.
http::Response suggest(Context& ctx) {
  Body body(ctx.request);
  const auto title = body.string("title", false, 100, true).value_or("");
  const auto content = body.string("content", false, 4000, true).value_or("");
  const auto division = body.string("division", false, 6, true).value_or("");
  const auto limit = body.integer("limit", false, 1, 20).value_or(5);
  body.finish();
  if (title.empty() && content.empty()) bad_request("title", "a title or a content is needed");
  pqxx::read_transaction txn(ctx.db);
  return json_response(
      200, {{"entries", hits_json(storage::search_entries(txn, title + "。" + content, division,
                                                          static_cast<int>(limit)))}});
}

// The operator answers a phone consultation with an entry while the citizen is on the line: the
// answer is recorded as the final answer (heard at once, so nothing is queued for a channel), the
// ticket is closed and the entry cited. Counted as 即时答复 (docs/statistics.md).
http::Response instant_answer(Context& ctx) {
  Body body(ctx.request);
  const auto entry_id = *body.integer("entry_id", true, 1, INT64_MAX);
  const auto edited = body.string("content", false, 5000);
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = storage::lock_ticket(txn, id);
  if (!w) not_found("ticket " + std::to_string(id));
  const auto& t = w->summary;
  if (t.channel != "operator") {
    conflict(
        "only an appeal taken by the operators (channel operator) is answered at once; this "
        "one came from " +
        t.channel + " and is answered through it");
  }
  if (t.kind != "consultation") {
    throw ApiError(422, "not_a_consultation",
                   "kind: only a consultation is answered at once (this is a " + t.kind + ")");
  }
  if (!kInstantStatuses.contains(t.status)) conflict("cannot answer a ticket that is " + t.status);
  const auto entry = storage::find_entry(txn, entry_id);
  if (!entry) bad_request("entry_id", "no knowledge entry " + std::to_string(entry_id));
  if (entry->state != "published") {
    throw ApiError(422, "entry_not_published",
                   "entry_id: entry " + std::to_string(entry_id) + " is " + entry->state);
  }
  const auto content = edited.value_or(entry->answer);
  const auto department = t.lead.empty() ? std::string("triage") : t.lead;
  const auto answer_id = storage::insert_answer(
      txn, {id, "final_answer", content, department, ctx.user().username, false, std::nullopt});
  storage::cite_entry(txn, id, *entry, answer_id, true, ctx.user().username);
  storage::TicketChange change;
  change.status = "closed";
  change.mark_answered = true;
  change.claimed_by = std::optional<std::string>(ctx.user().username);
  storage::change_ticket(txn, id, change);
  const nlohmann::json cited = {
      {"entry_id", entry->id},
      {"entry_version", entry->version},
      {"question", entry->question},
      {"policy", {{"title", entry->policy_title}, {"number", entry->policy_number}}}};
  storage::append_ticket_event(txn, id, "answer.final", ctx.user().username,
                               {{"answer_id", answer_id},
                                {"reply_ids", nlohmann::json::array()},
                                {"publish", false},
                                {"reply_to", nullptr},
                                {"callbacks", nlohmann::json::array()},
                                {"instant", true},
                                {"edited", edited.has_value()},
                                {"knowledge_entry", cited}});
  txn.commit();
  return json_response(201, {{"id", id},
                             {"answer_id", answer_id},
                             {"status", "closed"},
                             {"instant", true},
                             {"knowledge_entry", cited}});
}

// What staff may start their answer from: the best entries for the ticket's text and their
// department's earlier final answers to similar tickets.
http::Response ticket_suggestions(Context& ctx) {
  ctx.allow_query({"limit"});
  const int limit = query_int(ctx, "limit", 5, 1, 20);
  const auto id = ctx.id_param();
  pqxx::read_transaction txn(ctx.db);
  const auto t = storage::find_ticket(txn, id);
  if (!t) not_found("ticket " + std::to_string(id));
  require_ticket_visible(ctx, *t);
  const auto text = t->title + "。" + storage::ticket_content(txn, id);
  return json_response(
      200, {{"ticket_id", id},
            {"entries", hits_json(storage::search_entries(txn, text, t->division, limit))},
            {"previous_answers", t->lead.empty()
                                     ? nlohmann::json::array()
                                     : storage::similar_answers(txn, t->lead, text, id, limit)}});
}

}  // namespace

std::vector<RouteDef> knowledge_routes() {
  const std::set<std::string> workers{"operator", "staff", "manager"};
  return {
      {"GET", "/api/v1/knowledge", workers, list_entries},
      {"POST", "/api/v1/knowledge", {"staff", "manager"}, create_entry, 32 * 1024},
      {"POST", "/api/v1/knowledge/suggest", workers, suggest, 32 * 1024},
      {"GET", "/api/v1/knowledge/{id}", workers, get_entry},
      {"PUT", "/api/v1/knowledge/{id}", {"staff", "manager"}, update_entry, 32 * 1024},
      {"POST", "/api/v1/tickets/{id}/instant-answer", {"operator"}, instant_answer},
      {"GET", "/api/v1/tickets/{id}/suggestions", workers, ticket_suggestions},
  };
}

}  // namespace appealhub::gateway::detail
