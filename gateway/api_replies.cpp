// The delivery ledger's routes: the list of replies (managers' failure list, operators' callback
// list, staff their departments' replies) and a manager's resend of a reply after its cause was
// fixed. Visibility follows the tickets': staff see the replies of tickets their departments lead
// or assist; a reply outside that is reported as absent.

#include <algorithm>

#include "gateway/api_internal.hpp"
#include "storage/reply_ledger.hpp"

namespace appealhub::gateway::detail {
namespace {

const std::set<std::string> kStates = {"queued", "sending", "delivered", "retrying", "failed"};

std::vector<std::string> split_states(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      if (!kStates.contains(item)) bad_request("state", "unknown reply state '" + item + "'");
      out.push_back(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int number_param(const Context& ctx, const char* name, int fallback, int min, int max) {
  const auto text = ctx.request.query_param(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    const int value = std::stoi(*text, &used);
    if (used != text->size() || value < min || value > max) throw std::out_of_range(name);
    return value;
  } catch (const std::exception&) {
    bad_request(
        name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
}

bool sees_every_reply(const Context& ctx) {
  return ctx.is("manager") || ctx.is("operator");
}

http::Response list_replies(Context& ctx) {
  ctx.allow_query({"state", "channel", "ticket_id", "limit", "offset"});
  storage::ReplyFilter f;
  f.states = split_states(ctx.request.query_param("state").value_or(""));
  f.channel = ctx.request.query_param("channel").value_or("");
  if (ctx.request.query_param("ticket_id")) {
    f.ticket_id = number_param(ctx, "ticket_id", 0, 1, INT32_MAX);
  }
  f.limit = number_param(ctx, "limit", 50, 1, 500);
  f.offset = number_param(ctx, "offset", 0, 0, 1000000);
  if (!sees_every_reply(ctx)) {
    f.departments = ctx.user().departments;
    if (f.departments.empty()) return json_response(200, {{"replies", nlohmann::json::array()}});
  }
  pqxx::read_transaction txn(ctx.db);
  auto replies = storage::list_replies(txn, f);
  const bool more = replies.size() > static_cast<std::size_t>(f.limit);
  if (more) replies.erase(replies.size() - 1);
  return json_response(
      200, {{"replies", replies},
            {"next_offset", more ? nlohmann::json(f.offset + f.limit) : nlohmann::json()}});
}

http::Response resend_reply(Context& ctx) {
  Body(ctx.request).finish();
  const auto reply_id = ctx.params.at("reply_id");
  const bool well_formed = !reply_id.empty() && reply_id.size() <= 128 &&
                           std::all_of(reply_id.begin(), reply_id.end(), [](char c) {
                             return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
                                    c == '-';
                           });
  if (!well_formed) bad_request("reply_id", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  pqxx::work txn(ctx.db);
  const storage::ReplyLedger ledger;
  const auto was = ledger.resend(txn, reply_id, ctx.user().username);
  if (!was) not_found("reply " + reply_id);
  if (*was != "failed" && *was != "retrying") {
    conflict("reply " + reply_id + " is " + *was + "; only failed or retrying replies are resent");
  }
  txn.commit();
  return json_response(200, {{"reply_id", reply_id}, {"state", "queued"}, {"was", *was}});
}

}  // namespace

std::vector<RouteDef> reply_routes() {
  return {
      {"GET", "/api/v1/replies", {"operator", "staff", "manager"}, list_replies},
      {"POST", "/api/v1/replies/{reply_id}/resend", {"manager"}, resend_reply},
  };
}

}  // namespace appealhub::gateway::detail
