// The delivery ledger's routes: the list of replies (managers' failure list, operators' callback
// list, staff their departments' replies) and a manager's resend of a reply after its cause was
// fixed. Visibility follows the tickets': staff see the replies of tickets their departments lead
// or assist; a reply outside that is reported as absent. Also the 12328 file interface's lists:
// result files (a manager abandons one the platform never answered) and refused export rows.

#include <algorithm>

#include "gateway/api_internal.hpp"
#include "storage/hotline_results.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::gateway::detail {
namespace {

const std::set<std::string> kStates = {"queued", "sending", "delivered", "retrying", "failed"};

std::vector<std::string> split_states(const std::string& text) {
  auto out = split_list(text);
  for (const auto& item : out) {
    if (!kStates.contains(item)) bad_request("state", "unknown reply state '" + item + "'");
  }
  return out;
}

bool sees_every_reply(const Context& ctx) {
  return ctx.is("manager") || ctx.is("operator");
}

// A path parameter of 1 to 128 characters of A-Z a-z 0-9 . _ : - (ids and file names).
std::string id_text_param(const Context& ctx, const std::string& name) {
  const auto text = ctx.params.at(name);
  const bool well_formed =
      !text.empty() && text.size() <= 128 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
      });
  if (!well_formed) bad_request(name, "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  return text;
}

// {"<key>": rows, "next_offset"} from a storage list that returns at most limit + 1 rows.
http::Response page(const char* key, nlohmann::json rows, int limit, int offset) {
  const bool more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.erase(rows.size() - 1);
  return json_response(
      200,
      {{key, rows}, {"next_offset", more ? nlohmann::json(offset + limit) : nlohmann::json()}});
}

http::Response list_replies(Context& ctx) {
  ctx.allow_query({"state", "channel", "ticket_id", "limit", "offset"});
  storage::ReplyFilter f;
  f.states = split_states(ctx.request.query_param("state").value_or(""));
  f.channel = ctx.request.query_param("channel").value_or("");
  if (ctx.request.query_param("ticket_id")) {
    f.ticket_id = query_int(ctx, "ticket_id", 0, 1, INT32_MAX);
  }
  f.limit = query_int(ctx, "limit", 50, 1, 500);
  f.offset = query_int(ctx, "offset", 0, 0, 1000000);
  if (!sees_every_reply(ctx)) {
    f.departments = ctx.user().departments;
    if (f.departments.empty()) return json_response(200, {{"replies", nlohmann::json::array()}});
  }
  pqxx::read_transaction txn(ctx.db);
  return page("replies", storage::list_replies(txn, f), f.limit, f.offset);
}

http::Response resend_reply(Context& ctx) {
  Body(ctx.request).finish();
  const auto reply_id = id_text_param(ctx, "reply_id");
  pqxx::work txn(ctx.db);
  const storage::ReplyLedger ledger;
  const auto was = ledger.resend(txn, reply_id, ctx.user().username);
  if (!was) not_found("reply " + reply_id);
  if (*was != "failed" && *was != "retrying") {
    std::string hint;
    if (*was == "sending") {
      hint =
          " (a 12328 reply in a result file without a receipt is sent again by abandoning the "
          "file: POST /api/v1/hotline12328/result-files/{name}/abandon)";
    }
    conflict("reply " + reply_id + " is " + *was + "; only failed or retrying replies are resent" +
             hint);
  }
  txn.commit();
  return json_response(200, {{"reply_id", reply_id}, {"state", "queued"}, {"was", *was}});
}

const std::set<std::string> kFileStates = {"planned", "written", "answered", "abandoned"};

http::Response list_result_files(Context& ctx) {
  ctx.allow_query({"state", "limit", "offset"});
  std::vector<std::string> states;
  for (const auto& s : split_list(ctx.request.query_param("state").value_or(""))) {
    if (!kFileStates.contains(s)) bad_request("state", "unknown result file state '" + s + "'");
    states.push_back(s);
  }
  const int limit = query_int(ctx, "limit", 50, 1, 500);
  const int offset = query_int(ctx, "offset", 0, 0, 1000000);
  pqxx::read_transaction txn(ctx.db);
  return page("result_files", storage::list_result_files(txn, states, limit, offset), limit,
              offset);
}

http::Response abandon_result_file(Context& ctx) {
  Body(ctx.request).finish();
  const auto name = id_text_param(ctx, "name");
  pqxx::work txn(ctx.db);
  const auto outcome = storage::abandon_result_file(txn, name, ctx.user().username);
  if (outcome.result == storage::AbandonOutcome::unknown) not_found("result file " + name);
  if (outcome.result == storage::AbandonOutcome::refused) conflict(outcome.reason);
  txn.commit();
  return json_response(200,
                       {{"name", name}, {"state", "abandoned"}, {"requeued", outcome.reply_ids}});
}

http::Response list_refused(Context& ctx) {
  ctx.allow_query({"file", "limit", "offset"});
  const auto file = ctx.request.query_param("file").value_or("");
  if (file.size() > 255) bad_request("file", "at most 255 characters");
  const int limit = query_int(ctx, "limit", 50, 1, 500);
  const int offset = query_int(ctx, "offset", 0, 0, 1000000);
  pqxx::read_transaction txn(ctx.db);
  return page("refused", storage::list_hotline_refused(txn, file, limit, offset), limit, offset);
}

}  // namespace

std::vector<RouteDef> reply_routes() {
  return {
      {"GET", "/api/v1/replies", {"operator", "staff", "manager"}, list_replies},
      {"POST", "/api/v1/replies/{reply_id}/resend", {"manager"}, resend_reply},
      {"GET", "/api/v1/hotline12328/result-files", {"operator", "manager"}, list_result_files},
      {"POST",
       "/api/v1/hotline12328/result-files/{name}/abandon",
       {"manager"},
       abandon_result_file},
      {"GET", "/api/v1/hotline12328/refused", {"operator", "manager"}, list_refused},
  };
}

}  // namespace appealhub::gateway::detail
