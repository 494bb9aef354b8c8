// The ticket routes: lists and detail for every working role, and the actions of operators,
// staff and managers. Each action locks the ticket, checks who may do what in which state, and
// writes the change, its timeline event and any outbox message in one transaction.

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>

#include "core/bytes.hpp"
#include "core/channel_rules.hpp"
#include "core/codec.hpp"
#include "core/deadline.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/validation.hpp"
#include "gateway/api_internal.hpp"
#include "gateway/credentials.hpp"
#include "storage/duplicate_suggestions.hpp"
#include "storage/knowledge.hpp"
#include "storage/outbox.hpp"
#include "storage/reply_ledger.hpp"
#include "storage/ticket_work.hpp"

namespace appealhub::gateway::detail {
namespace {

using storage::TicketSummary;

const std::set<std::string> kOpen = {"triage", "assigned", "in_progress", "returned", "reopened"};
const std::set<std::string> kAnswerable = {"assigned", "in_progress", "reopened"};

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Operators and managers see every ticket; staff see their departments' (lead or assisting).
bool sees_everything(const Context& ctx) {
  return ctx.is("manager") || ctx.is("operator");
}

bool in_my_departments(const Context& ctx, const TicketSummary& t) {
  const auto& mine = ctx.user().departments;
  if (contains(mine, t.lead)) return true;
  return std::any_of(t.assisting.begin(), t.assisting.end(),
                     [&](const std::string& d) { return contains(mine, d); });
}

// A ticket outside the caller's reach is reported as absent: its existence is not disclosed.
void require_visible(const Context& ctx, const TicketSummary& t) {
  if (!sees_everything(ctx) && !in_my_departments(ctx, t))
    not_found("ticket " + std::to_string(t.id));
}

// Staff act on the tickets their department leads (协办 departments contribute through it).
void require_lead_staff(const Context& ctx, const TicketSummary& t) {
  require_visible(ctx, t);
  if (!ctx.is("staff") || !contains(ctx.user().departments, t.lead)) {
    forbidden("only staff of the lead department (" + t.lead + ") may do this");
  }
}

void require_status(const TicketSummary& t, const std::set<std::string>& allowed,
                    const std::string& action) {
  if (!allowed.contains(t.status)) {
    conflict("cannot " + action + " a ticket that is " + t.status);
  }
}

// Staff are told a ticket outside their reach does not exist before anything about their input.
void precheck_staff(Context& ctx) {
  if (sees_everything(ctx)) return;
  const auto id = ctx.id_param();
  pqxx::read_transaction txn(ctx.db);
  const auto t = storage::find_ticket(txn, id);
  if (!t) not_found("ticket " + std::to_string(id));
  require_lead_staff(ctx, *t);
}

storage::TicketForWork lock(pqxx::dbtransaction& txn, std::int64_t id) {
  auto t = storage::lock_ticket(txn, id);
  if (!t) not_found("ticket " + std::to_string(id));
  return std::move(*t);
}

// A JSON string; the common case (valid UTF-8, nothing to escape) is checked and copied in one
// pass each (a queue page writes ~750 strings: three passes over them showed in its profile).
void append_json_string(std::string& out, std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x80) {
      const auto sequence = core::read_utf8(text, at);
      if (sequence.state == core::Utf8Sequence::State::ok) {
        at += sequence.length;
        continue;
      }
    } else if (c >= 0x20 && c != '"' && c != '\\') {
      ++at;
      continue;
    }
    // Something to escape or to replace: nlohmann's writer, as json_response would.
    out += nlohmann::json(std::string(text))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

// A ticket's summary as JSON, written straight into `out`: a queue page has 50 of them, and
// building a nlohmann object for each (a std::map of 17 members, copied into the page) cost the
// gateway more than PostgreSQL's work for the page. Members in nlohmann's order (by name), so
// that summary_json gives the same document. `hide_citizen`: the viewer may not see this
// (anonymous) citizen at all, not even masked.
void append_summary(std::string& out, const TicketSummary& t, bool hide_citizen) {
  const auto member = [&](const char* name, std::string_view value) {
    out += '"';
    out += name;
    out += "\":";
    append_json_string(out, value);
    out += ',';
  };
  out += "{\"assisting_departments\":[";
  for (std::size_t i = 0; i < t.assisting.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, t.assisting[i]);
  }
  out += "],";
  member("category", t.category);
  member("channel", t.channel);
  out += "\"citizen\":{\"anonymous\":";
  out += t.anonymous ? "true" : "false";
  out += ',';
  member("name", t.anonymous ? std::string("匿名") : mask_name(t.citizen_name));
  out += "\"phone\":";
  append_json_string(out, hide_citizen ? std::string() : mask_phone(t.citizen_phone));
  out += "},";
  member("claimed_by", t.claimed_by);
  if (t.deadline) {
    member("deadline", china_rfc3339(*t.deadline));
  } else {
    out += "\"deadline\":null,";
  }
  member("division", t.division);
  member("external_id", t.external_id);
  out += "\"id\":" + std::to_string(t.id) + ",";
  member("kind", t.kind);
  member("lead_department", t.lead);
  out += "\"merged_into\":" + (t.merged_into ? std::to_string(*t.merged_into) : "null") + ",";
  member("received_at", china_rfc3339(t.received_at));
  member("status", t.status);
  out += "\"supervised\":";
  out += t.supervised ? "true," : "false,";
  member("title", t.title);
  member("urgency", t.urgency);
  out.back() = '}';
}

// Staff do not see an anonymous citizen's contact, not even masked (docs/api.md).
bool hides_citizen(bool sees_all, const TicketSummary& t) {
  return t.anonymous && !sees_all;
}

bool hides_citizen(const Context& ctx, const TicketSummary& t) {
  return hides_citizen(sees_everything(ctx), t);
}

nlohmann::json summary_json(const TicketSummary& t, bool hide_citizen) {
  std::string text;
  append_summary(text, t, hide_citizen);
  return nlohmann::json::parse(text);
}

core::Timestamp now_timestamp() {
  return core::Timestamp{
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())};
}

void enqueue_reply(pqxx::dbtransaction& txn, const core::ReplyRequested& reply) {
  core::Event event;
  event.event_id =
      core::make_event_id("reply.requested", reply.channel, reply.external_id, reply.reply_id);
  event.occurred_at = reply.answered_at;
  event.producer = "gateway";
  event.body = reply;
  const auto errors = core::validate(event);
  if (!errors.empty()) {
    throw ApiError(422, "invalid", "reply: " + core::to_string(errors));
  }
  storage::OutboxMessage m;
  m.message_id = event.event_id;
  m.exchange = "appeals";
  m.routing_key = event.routing_key();
  m.type = "reply.requested";
  m.body = core::encode_event(event);
  storage::enqueue_outbox(txn, m);
}

// The department as the citizen sees it: its name and phone from the directory.
std::pair<std::string, std::string> department_face(const Context& ctx, const std::string& code) {
  const auto setup = ctx.services.routing();
  if (const auto* d = setup->departments->find(code)) return {d->name, d->phone};
  return {code, ""};
}

// An approved 退回 or 延期申请 of a 12328 order as the request the platform gets: from the lead
// department, by whoever asked, with the asker's reason (and the days asked for an extension).
core::ReplyRequested platform_request(const Context& ctx, const storage::TicketForWork& w,
                                      const storage::TicketRequest& pending, core::ReplyType type) {
  const bool extension = type == core::ReplyType::extension_request;
  const auto [name, phone] = department_face(ctx, w.summary.lead);
  core::ReplyRequested reply;
  reply.reply_id = (extension ? "ext-" : "ret-") + std::to_string(pending.id);
  reply.ticket_id = w.summary.id;
  reply.channel = w.summary.channel;
  reply.external_id = w.summary.external_id;
  reply.type = type;
  reply.department = name;
  reply.contact_phone = phone;
  reply.handler = pending.requested_by;
  reply.answered_at = now_timestamp();
  reply.return_reason = pending.reason;
  if (extension) reply.extension_days = pending.days.value_or(0);
  return reply;
}

void require_department(const Context& ctx, const std::string& field, const std::string& code,
                        bool allow_triage = false) {
  const auto setup = ctx.services.routing();
  const auto* d = setup->departments->find(code);
  if (!d) bad_request(field, "unknown department '" + code + "'");
  if (!d->active) bad_request(field, "department '" + code + "' is inactive");
  if (!allow_triage && code == "triage") bad_request(field, "triage is not a department to answer");
}

std::string occasion_now(const char* what) {
  return std::string(what) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

// ---- reading -------------------------------------------------------------------------------

// A caller's history by phone is for the roles that take calls and call back (operators,
// managers): each search names its purpose, is recorded, and is limited per user, so that a
// number cannot be recovered from its masked form by trying every completion.
void audit_phone_search(Context& ctx, const std::string& phone, const std::string& purpose) {
  if (!sees_everything(ctx)) forbidden("searching by phone is for operators and managers");
  if (purpose.find_first_not_of(" \t") == std::string::npos) {
    bad_request("purpose", "required with phone: why the caller's history is looked up");
  }
  if (core::utf8_length(purpose).value_or(0) > 200)
    bad_request("purpose", "at most 200 characters");
  pqxx::work txn(ctx.db);
  const auto wait =
      storage::record_phone_search(txn, ctx.user().username, purpose, mask_phone(phone),
                                   ctx.services.options.phone_searches_per_minute);
  txn.commit();
  if (wait) {
    ApiError e(429, "too_many_attempts", "phone: too many searches by phone; try again later");
    e.retry_after = wait->count();
    throw e;
  }
}

// {"next_page_token": …, "tickets": […]}, as json_response would write it.
SharedReads::Answer list_page(pqxx::transaction_base& txn, const storage::TicketListQuery& query,
                              const storage::TicketFilter& f, bool sees_all) {
  auto rows = storage::list_tickets(txn, query);
  const bool more = rows.size() > static_cast<std::size_t>(f.limit);
  if (more) rows.pop_back();
  std::string body = "{\"next_page_token\":";
  body += more ? "\"" + std::to_string(f.offset + f.limit) + "\"" : std::string("null");
  body += ",\"tickets\":[";
  body.reserve(body.size() + rows.size() * 768);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) body += ',';
    append_summary(body, rows[i], hides_citizen(sees_all, rows[i]));
  }
  body += "]}";
  return std::make_shared<const std::string>(std::move(body));
}

http::Response list(Context& ctx) {
  ctx.allow_query({"status", "department", "channel", "kind", "category", "division", "overdue",
                   "deadline_from", "deadline_to", "q", "phone", "purpose", "external_id",
                   "supervised", "pending", "sort", "limit", "page_token"});
  storage::TicketFilter f;
  const auto q = [&](const char* name) { return ctx.request.query_param(name).value_or(""); };
  f.statuses = split_list(q("status"));
  for (const auto& s : f.statuses) {
    if (!core::parse_ticket_status(s)) bad_request("status", "unknown status '" + s + "'");
  }
  f.departments = split_list(q("department"));
  if (!sees_everything(ctx)) {
    // Staff: their own departments, or a subset of them.
    const auto& mine = ctx.user().departments;
    for (const auto& d : f.departments) {
      if (!contains(mine, d)) forbidden("department " + d + " is not yours");
    }
    if (f.departments.empty()) f.departments = mine;
    if (f.departments.empty())
      return json_response(200,
                           {{"tickets", nlohmann::json::array()}, {"next_page_token", nullptr}});
  }
  f.channel = q("channel");
  f.kind = q("kind");
  if (!f.kind.empty() && !core::parse_appeal_kind(f.kind)) bad_request("kind", "unknown kind");
  f.category = q("category");
  f.division = q("division");
  f.external_id = q("external_id");
  const auto flag = [&](const char* name) -> std::optional<bool> {
    const auto v = q(name);
    if (v.empty()) return std::nullopt;
    if (v != "true" && v != "false") bad_request(name, "must be true or false");
    return v == "true";
  };
  f.overdue = flag("overdue");
  f.supervised = flag("supervised");
  f.deadline_from = parse_time_param("deadline_from", q("deadline_from"));
  f.deadline_to = parse_time_param("deadline_to", q("deadline_to"));
  f.text = q("q");
  f.phone = q("phone");
  if (!f.phone.empty()) audit_phone_search(ctx, f.phone, q("purpose"));
  f.pending = q("pending");
  if (!f.pending.empty() && f.pending != "return" && f.pending != "extension") {
    bad_request("pending", "must be return or extension");
  }
  f.sort = q("sort").empty() ? "deadline" : q("sort");
  if (f.sort != "deadline" && f.sort != "received")
    bad_request("sort", "must be deadline or received");
  f.limit = query_int(ctx, "limit", 50, 1, 200);
  f.offset = query_int(ctx, "page_token", 0, 0, 1000000);
  pqxx::nontransaction txn(ctx.db);  // one statement
  const auto query = storage::ticket_list_query(txn, f);
  const bool all = sees_everything(ctx);
  if (ctx.answering.alone) return json_text_response(200, *list_page(txn, query, f, all));
  // The page is the same for every caller whose query has the same text and who sees citizens
  // the same way: clerks polling one queue at once share one run (gateway/shared_reads.hpp).
  ctx.answering.deferred = true;
  ctx.services.shared_reads->get(
      (all ? "all:" : "departments:") + query.sql, [&] { return list_page(txn, query, f, all); },
      [later = ctx.answering.later,
       again = ctx.answering.again()](const SharedReads::Answer& page) {
        if (page) {
          later(json_text_response(200, *page));
        } else {
          again();  // the run it waited for failed: its own run, on a worker
        }
      });
  return {};
}

http::Response detail(Context& ctx) {
  ctx.allow_query({});
  const auto id = ctx.id_param();
  pqxx::nontransaction txn(ctx.db);  // one statement (two when the ticket has replies)
  auto view = storage::ticket_view(txn, id);
  if (!view) not_found("ticket " + std::to_string(id));
  const auto& t = view->summary;
  require_visible(ctx, t);
  const bool hide = hides_citizen(ctx, t);
  auto body = summary_json(t, hide);
  auto& detail = view->detail;
  auto& citizen = detail["appeal"]["citizen"];
  redact_channel_meta(detail["appeal"]["channel_meta"], hide);
  if (hide) {
    citizen = {{"name", "匿名"},
               {"phone", ""},
               {"email", ""},
               {"id_number_masked", ""},
               {"anonymous", true}};
  } else {
    mask_citizen(citizen);
  }
  for (auto& [key, value] : detail.items()) body[key] = std::move(value);
  body["channel_rules"] = core::to_json(core::channel_rules(t.channel));
  return json_response(200, body);
}

// The citizen's full contact details, for whoever must call or write to them; every view is on
// the timeline.
http::Response contact(Context& ctx) {
  ctx.allow_query({"purpose"});
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  const auto& t = w.summary;
  require_visible(ctx, t);
  if (!sees_everything(ctx)) {
    require_lead_staff(ctx, t);
    if (t.anonymous) forbidden("the citizen asked not to be named to departments");
  }
  const auto appeal = nlohmann::json::parse(w.appeal_json);
  const auto& c = appeal.value("citizen", nlohmann::json::object());
  // What the channel sent that the hub could not use as contact (a phone written "139 0000
  // 6666", say) is contact data too: shown here, masked in every other view.
  auto meta = contact_channel_meta(appeal.value("channel_meta", nlohmann::json::object()));
  nlohmann::json fields = {"name", "phone", "email"};
  for (const auto& [key, value] : meta.items()) fields.push_back("channel_meta." + key);
  storage::append_ticket_event(
      txn, id, "contact.viewed", ctx.user().username,
      {{"fields", fields}, {"purpose", ctx.request.query_param("purpose").value_or("")}});
  txn.commit();
  return json_response(200, {{"name", c.value("name", "")},
                             {"phone", c.value("phone", "")},
                             {"email", c.value("email", "")},
                             {"anonymous", c.value("anonymous", false)},
                             {"channel_meta", std::move(meta)}});
}

// ---- operators -------------------------------------------------------------------------------

http::Response record_appeal(Context& ctx) {
  Body body(ctx.request);
  core::Appeal a;
  a.channel = "operator";
  const auto request_id = body.string("request_id", false, 64);
  a.title = *body.string("title", true, 100);
  a.content = *body.string("content", true, 4000);
  const auto kind = body.choice("kind", true,
                                {"consultation", "complaint", "report", "suggestion", "help",
                                 "praise", "disclosure", "other"});
  a.kind = *core::parse_appeal_kind(*kind);
  a.category = body.string("category", false, 64).value_or("other");
  if (!core::is_business_category(a.category)) bad_request("category", "unknown category");
  a.division = body.string("division", false, 6, true).value_or("");
  a.place = body.string("place", false, 200, true).value_or("");
  a.plate = core::normalize_plate(body.string("plate", false, 20, true).value_or(""));
  const auto urgency = body.choice("urgency", false, {"normal", "urgent", "critical"});
  a.urgency = urgency ? *core::parse_urgency(*urgency) : core::Urgency::normal;
  a.publication_allowed = body.boolean("publication_allowed", false).value_or(false);
  {
    Body citizen(body, "citizen", true);
    constexpr auto kAny = std::numeric_limits<std::size_t>::max();  // the appeal's rules check
    a.citizen.name = citizen.string("name", false, kAny, true).value_or("");
    a.citizen.phone = citizen.string("phone", false, kAny, true).value_or("");
    a.citizen.email = citizen.string("email", false, kAny, true).value_or("");
    a.citizen.anonymous = citizen.boolean("anonymous", false).value_or(false);
    citizen.finish();
  }
  body.finish();
  if (request_id) {
    for (const char c : *request_id) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        bad_request("request_id", "only letters, digits, - and _");
      }
    }
  }
  // The same request_id always names the same appeal: a retried submission is one ticket.
  a.external_id =
      "OP-" + (request_id ? core::sha256_hex(ctx.user().username + ":" + *request_id).substr(0, 24)
                          : random_token(12));
  a.received_at = now_timestamp();
  a.channel_meta = {{"recorded_by", ctx.user().username}};
  core::Event event;
  event.event_id = core::make_event_id("appeal.received", a.channel, a.external_id, "received");
  event.occurred_at = a.received_at;
  event.producer = "gateway";
  event.body = core::AppealReceived{a};
  const auto errors = core::validate(event);
  if (!errors.empty()) {
    auto text = core::to_string(errors);
    for (const char* prefix : {"data.appeal.", "appeal."}) {
      for (auto pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix)) {
        text.erase(pos, std::string_view(prefix).size());
      }
    }
    throw ApiError(400, "invalid", text);
  }
  storage::OutboxMessage m;
  m.message_id = event.event_id;
  m.exchange = "appeals";
  m.routing_key = event.routing_key();
  m.type = "appeal.received";
  m.body = core::encode_event(event);
  pqxx::work txn(ctx.db);
  storage::enqueue_outbox(txn, m);
  txn.commit();
  // Same path as every channel: the router makes the ticket from the bus.
  return json_response(
      202, {{"channel", a.channel},
            {"external_id", a.external_id},
            {"event_id", event.event_id},
            {"ticket", "/api/v1/tickets?channel=operator&external_id=" + a.external_id}});
}

http::Response dispatch_or_reassign(Context& ctx, bool reassign) {
  Body body(ctx.request);
  const auto lead = *body.string("lead_department", true, 64);
  const auto assisting =
      body.strings("assisting_departments", false).value_or(std::vector<std::string>{});
  const auto reason = body.string("reason", reassign, 500).value_or("");
  body.finish();
  require_department(ctx, "lead_department", lead);
  for (const auto& d : assisting) {
    require_department(ctx, "assisting_departments", d);
    if (d == lead) bad_request("assisting_departments", "must not include the lead department");
  }
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  if (reassign) {
    require_status(w.summary, {"triage", "assigned", "in_progress", "returned", "reopened"},
                   "reassign");
  } else {
    require_status(w.summary, {"triage", "received"}, "dispatch");
  }
  storage::TicketChange change;
  change.status = "assigned";
  change.lead = lead;
  change.assisting = assisting;
  change.claimed_by = std::optional<std::string>();
  change.mark_assigned = true;
  change.reason = (reassign ? "reassigned by " : "dispatched by ") + ctx.user().username +
                  (reason.empty() ? "" : ": " + reason);
  storage::change_ticket(txn, id, change);
  // A return that was waiting is settled by the new placement.
  if (auto pending = storage::pending_request(txn, id, "return")) {
    storage::decide_request(txn, pending->id, "approved", ctx.user().username, "placed again");
  }
  storage::append_ticket_event(txn, id, reassign ? "ticket.reassigned" : "ticket.dispatched",
                               ctx.user().username,
                               {{"from", w.summary.lead},
                                {"lead_department", lead},
                                {"assisting_departments", assisting},
                                {"reason", reason}});
  router::publish_placement(txn, id, lead, assisting, w.summary.deadline, *change.reason,
                            occasion_now(reassign ? "reassigned" : "dispatched"));
  txn.commit();
  return json_response(200, {{"id", id}, {"status", "assigned"}, {"lead_department", lead}});
}

http::Response dispatch(Context& ctx) {
  return dispatch_or_reassign(ctx, false);
}
http::Response reassign(Context& ctx) {
  return dispatch_or_reassign(ctx, true);
}

http::Response callback(Context& ctx) {
  Body body(ctx.request);
  const auto reached = *body.boolean("reached", true);
  const auto satisfaction =
      body.choice("satisfaction", reached, {"satisfied", "mostly_satisfied", "not_satisfied"});
  const auto resolved = body.boolean("resolved", false);
  const auto note = body.string("note", false, 2000, true).value_or("");
  body.finish();
  if (!reached && (satisfaction || resolved)) {
    bad_request("satisfaction", "only when the citizen was reached");
  }
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  require_status(w.summary, {"answered", "delivered", "closed"}, "record a callback on");
  storage::insert_callback(txn, {id, ctx.user().username, reached, satisfaction, resolved, note});
  // For an appeal taken by the operators, the call is the delivery of its waiting replies.
  storage::ReplyLedger().record_callback(txn, id, reached, ctx.user().username, note);
  std::string status = w.summary.status;
  if (satisfaction == "not_satisfied") {
    // 重办: back to its department.
    storage::TicketChange change;
    change.status = status = "reopened";
    change.claimed_by = std::optional<std::string>();
    storage::change_ticket(txn, id, change);
  }
  storage::append_ticket_event(
      txn, id, "callback.recorded", ctx.user().username,
      {{"reached", reached},
       {"satisfaction", satisfaction ? nlohmann::json(*satisfaction) : nlohmann::json()},
       {"resolved", resolved ? nlohmann::json(*resolved) : nlohmann::json()},
       {"note", note}});
  txn.commit();
  return json_response(201, {{"id", id}, {"status", status}});
}

// Merges ticket `id` into `into`, both locked in id order (so two merges cannot deadlock) and in
// states that allow it, with the event on both timelines; `check` runs once both are locked.
http::Response merge_into(Context& ctx, std::int64_t id, std::int64_t into,
                          const std::string& reason,
                          const std::function<void(pqxx::dbtransaction&)>& check = {}) {
  pqxx::work txn(ctx.db);
  const auto first = lock(txn, std::min(id, into));
  const auto second = lock(txn, std::max(id, into));
  const auto& self = id < into ? first : second;
  const auto& target = id < into ? second : first;
  if (check) check(txn);
  require_status(self.summary, {"received", "triage", "assigned", "in_progress", "returned"},
                 "merge");
  if (!kOpen.contains(target.summary.status) && target.summary.status != "answered") {
    conflict("ticket " + std::to_string(into) + " is " + target.summary.status);
  }
  storage::merge_ticket(txn, id, into, ctx.user().username, reason);
  storage::append_ticket_event(txn, id, "ticket.merged", ctx.user().username,
                               {{"into", into}, {"reason", reason}});
  storage::append_ticket_event(txn, into, "ticket.merge_received", ctx.user().username,
                               {{"from", id}, {"reason", reason}});
  txn.commit();
  return json_response(200, {{"id", id}, {"status", "merged"}, {"merged_into", into}});
}

http::Response merge(Context& ctx) {
  Body body(ctx.request);
  const auto into = *body.integer("into", true, 1, INT64_MAX);
  const auto reason = *body.string("reason", true, 500);
  body.finish();
  const auto id = ctx.id_param();
  if (into == id) bad_request("into", "a ticket cannot be merged into itself");
  return merge_into(ctx, id, into, reason);
}

// ---- duplicate suggestions (docs/duplicates.md) ----------------------------------------------

// Open suggestions for the dispatch desk, newest first, with the evidence: the reason (shared
// key, similarity, identifiers that agree) and, for text suggestions, the shared phrases in it.
http::Response duplicate_suggestions(Context& ctx) {
  ctx.allow_query({"limit"});
  const auto limit = query_int(ctx, "limit", 50, 1, 200);
  pqxx::nontransaction txn(ctx.db);  // one statement
  return json_text_response(
      200, "{\"suggestions\":" + storage::list_duplicate_suggestions(txn, limit) + "}");
}

// The suggestion that ticket {id} repeats ticket `of`, locked; 404 when there is none open.
void require_suggestion(pqxx::dbtransaction& txn, std::int64_t id, std::int64_t of) {
  if (!storage::lock_duplicate_suggestion(txn, id, of)) {
    not_found("suggestion that ticket " + std::to_string(id) + " repeats " + std::to_string(of));
  }
}

// An operator confirms a suggestion: the ticket is merged into the one it repeats.
http::Response confirm_duplicate(Context& ctx) {
  Body body(ctx.request);
  const auto of = *body.integer("of", true, 1, INT64_MAX);
  const auto note = body.string("note", false, 500).value_or("");
  body.finish();
  const auto id = ctx.id_param();
  return merge_into(ctx, id, of, "suggestion confirmed" + (note.empty() ? "" : ": " + note),
                    [&](pqxx::dbtransaction& txn) {
                      require_suggestion(txn, id, of);
                      storage::record_suggestion_confirmed(txn, id, of, ctx.user().username, note);
                    });
}

// An operator rejects a suggestion: remembered, so that the pair is not suggested again.
http::Response reject_duplicate(Context& ctx) {
  Body body(ctx.request);
  const auto of = *body.integer("of", true, 1, INT64_MAX);
  const auto reason = *body.string("reason", true, 500);
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  lock(txn, id);
  require_suggestion(txn, id, of);
  storage::reject_duplicate_suggestion(txn, id, of, ctx.user().username, reason);
  storage::append_ticket_event(txn, id, "duplicate.rejected", ctx.user().username,
                               {{"duplicate_of", of}, {"reason", reason}});
  txn.commit();
  return json_response(200, {{"id", id}, {"duplicate_of", of}, {"rejected", true}});
}

http::Response unmerge(Context& ctx) {
  Body body(ctx.request);
  const auto reason = *body.string("reason", true, 500);
  body.finish();
  const auto id = ctx.id_param();
  const auto setup = ctx.services.routing();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  if (w.summary.status != "merged") conflict("ticket " + std::to_string(id) + " is not merged");
  const auto primary = router::undo_merge(txn, *setup, id, ctx.user().username, reason);
  txn.commit();
  return json_response(200, {{"id", id}, {"unmerged_from", primary}});
}

// ---- staff -----------------------------------------------------------------------------------

http::Response claim(Context& ctx) {
  precheck_staff(ctx);
  Body(ctx.request).finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  require_lead_staff(ctx, w.summary);
  require_status(w.summary, {"assigned", "reopened"}, "claim");
  storage::TicketChange change;
  change.status = "in_progress";
  change.claimed_by = std::optional<std::string>(ctx.user().username);
  storage::change_ticket(txn, id, change);
  storage::append_ticket_event(txn, id, "ticket.claimed", ctx.user().username,
                               {{"department", w.summary.lead}});
  txn.commit();
  return json_response(
      200, {{"id", id}, {"status", "in_progress"}, {"claimed_by", ctx.user().username}});
}

// Where an answer goes, decided by what each channel takes (core/channel_rules.hpp) before
// anything is queued: each appeal answered here with the reason it goes to the operators'
// callback list instead of its channel (empty: to its channel).
std::vector<std::pair<storage::MergedAppeal, std::string>> plan_answer(
    pqxx::dbtransaction& txn, std::int64_t id, const storage::TicketForWork& w, bool interim,
    const std::string& content) {
  if (interim && !core::channel_rules(w.summary.channel).interim_answers) {
    throw ApiError(422, "interim_not_accepted",
                   "type: " + w.summary.channel +
                       " takes one reply per appeal and no interim answer; write the final answer");
  }
  // Every channel that brought one of the appeals answered here gets the answer.
  std::vector<storage::MergedAppeal> targets{
      {id, w.summary.channel, w.summary.external_id, w.publication_allowed}};
  for (auto& m : storage::merged_appeals(txn, id)) targets.push_back(std::move(m));
  std::vector<std::pair<storage::MergedAppeal, std::string>> plan;
  const auto length = core::utf8_length(content).value_or(0);
  for (auto& target : targets) {
    const auto& rules = core::channel_rules(target.channel);
    if (interim && !rules.interim_answers) continue;  // a merged appeal's channel: the final only
    std::string reason;
    if (rules.replies != core::Replies::several &&
        storage::has_standing_answer(txn, target.ticket_id, target.channel,
                                     rules.replies == core::Replies::one_final)) {
      reason = core::second_answer_refusal(target.channel);
    }
    const auto limit =
        core::channel_rules(reason.empty() ? target.channel : "operator").max_answer_chars;
    if (length > limit) {
      throw ApiError(422, "answer_too_long",
                     "content: " + target.channel + " takes at most " + std::to_string(limit) +
                         " characters (this answer has " + std::to_string(length) + ")");
    }
    plan.emplace_back(std::move(target), std::move(reason));
  }
  return plan;
}

}  // namespace

nlohmann::json write_answer(Context& ctx, pqxx::work& txn, std::int64_t id, const std::string& type,
                            const std::string& content, bool publish,
                            const std::optional<std::string>& reply_to) {
  const auto w = lock(txn, id);
  require_lead_staff(ctx, w.summary);
  require_status(w.summary, kAnswerable, "answer");

  const auto plan = plan_answer(txn, id, w, type == "interim", content);
  if (publish && !w.publication_allowed) {
    throw ApiError(422, "publication_refused",
                   "publish: the citizen did not allow the answer to be published");
  }
  if (reply_to) {
    const auto known = storage::follow_up_ids(txn, id);
    if (!contains(known, *reply_to))
      bad_request("reply_to", "no follow-up '" + *reply_to + "' on this ticket");
  }
  const auto [department_name, department_phone] = department_face(ctx, w.summary.lead);
  const auto answer_id = storage::insert_answer(
      txn, {id, type, content, w.summary.lead, ctx.user().username, publish, reply_to});
  nlohmann::json reply_ids = nlohmann::json::array();
  nlohmann::json callbacks = nlohmann::json::array();
  for (const auto& [target, callback_reason] : plan) {
    core::ReplyRequested reply;
    reply.reply_id = "ans-" + std::to_string(answer_id) + "-t" + std::to_string(target.ticket_id);
    reply.ticket_id = target.ticket_id;
    reply.channel = callback_reason.empty() ? target.channel : "operator";
    reply.external_id = target.external_id;
    reply.type = type == "interim" ? core::ReplyType::interim : core::ReplyType::final_answer;
    reply.content = content;
    reply.department = department_name;
    reply.handler = ctx.user().display_name.empty() ? ctx.user().username : ctx.user().display_name;
    reply.contact_phone = department_phone;
    reply.answered_at = now_timestamp();
    reply.publish = publish && target.publication_allowed && callback_reason.empty();
    if (target.ticket_id == id) reply.reply_to = reply_to;
    enqueue_reply(txn, reply);
    reply_ids.push_back(reply.reply_id);
    if (!callback_reason.empty()) {
      callbacks.push_back({{"reply_id", reply.reply_id},
                           {"ticket_id", target.ticket_id},
                           {"channel", target.channel},
                           {"reason", callback_reason}});
    }
  }
  storage::TicketChange change;
  if (type == "final_answer") {
    change.status = "answered";
    change.mark_answered = true;
  } else {
    change.mark_first_answer = true;
  }
  storage::change_ticket(txn, id, change);
  storage::append_ticket_event(
      txn, id, type == "final_answer" ? "answer.final" : "answer.interim", ctx.user().username,
      {{"answer_id", answer_id},
       {"reply_ids", reply_ids},
       {"publish", publish},
       {"reply_to", reply_to ? nlohmann::json(*reply_to) : nlohmann::json()},
       {"callbacks", callbacks}});
  return {{"answer_id", answer_id},
          {"reply_ids", reply_ids},
          {"callbacks", callbacks},
          {"status", type == "final_answer" ? "answered" : w.summary.status}};
}

namespace {

http::Response answer(Context& ctx) {
  precheck_staff(ctx);
  Body body(ctx.request);
  const auto type = *body.choice("type", true, {"final_answer", "interim"});
  // Per-channel limits are checked in write_answer (422 answer_too_long); this is only the
  // format's cap.
  const auto content = *body.string("content", true, core::kLongestAnswerChars);
  const auto publish = body.boolean("publish", false).value_or(false);
  const auto reply_to = body.string("reply_to", false, 128);
  body.finish();
  pqxx::work txn(ctx.db);
  auto written = write_answer(ctx, txn, ctx.id_param(), type, content, publish, reply_to);
  txn.commit();
  return json_response(201, written);
}

http::Response request_return(Context& ctx) {
  precheck_staff(ctx);
  Body body(ctx.request);
  const auto reason = *body.string("reason", true, 2000);
  body.finish();
  const auto id = ctx.id_param();
  const auto setup = ctx.services.routing();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  require_lead_staff(ctx, w.summary);
  require_status(w.summary, {"assigned", "in_progress"}, "return");
  const auto window_days = ctx.services.options.return_window_working_days;
  const auto last = core::extend_deadline(
      *setup->calendar, core::end_of_china_day(core::china_date(*w.assigned_at)), window_days);
  if (std::chrono::system_clock::now() > last) {
    throw ApiError(422, "return_window_over",
                   "returns are made within " + std::to_string(window_days) +
                       " working days of dispatch (until " + china_rfc3339(last) + ")");
  }
  try {
    storage::insert_request(txn, {0, id, "return", w.summary.lead, ctx.user().username, reason,
                                  "pending", std::nullopt});
  } catch (const std::invalid_argument& e) {
    conflict(e.what());
  }
  storage::TicketChange change;
  change.status = "returned";
  change.claimed_by = std::optional<std::string>();
  storage::change_ticket(txn, id, change);
  storage::append_ticket_event(txn, id, "return.requested", ctx.user().username,
                               {{"department", w.summary.lead}, {"reason", reason}});
  txn.commit();
  return json_response(201, {{"id", id}, {"status", "returned"}});
}

http::Response review_return(Context& ctx) {
  Body body(ctx.request);
  const auto decision = *body.choice("decision", true, {"approve", "refuse"});
  const auto note = body.string("note", decision == "refuse", 2000).value_or("");
  const auto to_channel = body.boolean("to_channel", false).value_or(false);
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  const auto pending = storage::pending_request(txn, id, "return");
  if (!pending || w.summary.status != "returned") conflict("no return is waiting for a decision");
  if (pending->requested_by == ctx.user().username) forbidden("you cannot decide your own request");
  if (to_channel && (decision != "approve" || w.summary.channel != "hotline12328")) {
    bad_request("to_channel", "only an approved return of a 12328 order goes back to the platform");
  }
  storage::decide_request(txn, pending->id, decision == "approve" ? "approved" : "refused",
                          ctx.user().username, note);
  storage::TicketChange change;
  std::string status;
  if (decision == "refuse") {
    change.status = status = "assigned";  // back to the department that returned it
  } else if (!to_channel) {
    change.status = status = "triage";  // the dispatch desk places it again
  } else {
    status = "returned";  // 退回 to the platform; it may send the order again (改派)
    enqueue_reply(txn, platform_request(ctx, w, *pending, core::ReplyType::return_order));
  }
  storage::change_ticket(txn, id, change);
  storage::append_ticket_event(
      txn, id, decision == "approve" ? "return.approved" : "return.refused", ctx.user().username,
      {{"request_id", pending->id}, {"note", note}, {"to_channel", to_channel}});
  txn.commit();
  return json_response(200, {{"id", id}, {"status", status}});
}

http::Response request_extension(Context& ctx) {
  precheck_staff(ctx);
  Body body(ctx.request);
  const auto days = *body.integer("days", true, 1, 60);
  const auto reason = *body.string("reason", true, 2000);
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  require_lead_staff(ctx, w.summary);
  require_status(w.summary, kAnswerable, "extend");
  if (!w.summary.deadline) conflict("the ticket has no deadline to extend");
  if (std::chrono::system_clock::now() >= *w.summary.deadline) {
    throw ApiError(422, "deadline_passed",
                   "extensions are asked for before the deadline (" +
                       china_rfc3339(*w.summary.deadline) + ")");
  }
  try {
    storage::insert_request(txn, {0, id, "extension", w.summary.lead, ctx.user().username, reason,
                                  "pending", static_cast<int>(days)});
  } catch (const std::invalid_argument& e) {
    conflict(e.what());
  }
  storage::append_ticket_event(txn, id, "extension.requested", ctx.user().username,
                               {{"days", days}, {"reason", reason}});
  txn.commit();
  return json_response(201, {{"id", id}, {"extension", "pending"}});
}

http::Response review_extension(Context& ctx) {
  Body body(ctx.request);
  const auto decision = *body.choice("decision", true, {"approve", "refuse"});
  const auto note = body.string("note", decision == "refuse", 2000).value_or("");
  body.finish();
  const auto id = ctx.id_param();
  const auto setup = ctx.services.routing();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  const auto pending = storage::pending_request(txn, id, "extension");
  if (!pending) conflict("no extension is waiting for a decision");
  if (pending->requested_by == ctx.user().username)
    forbidden("you cannot approve your own request");
  if (core::is_final(*core::parse_ticket_status(w.summary.status))) {
    conflict("the ticket is " + w.summary.status);
  }
  storage::decide_request(txn, pending->id, decision == "approve" ? "approved" : "refused",
                          ctx.user().username, note);
  nlohmann::json data{{"request_id", pending->id}, {"days", *pending->days}, {"note", note}};
  std::optional<std::chrono::sys_seconds> moved;
  if (decision == "approve" && w.summary.deadline) {
    moved = core::extend_deadline(*setup->calendar, *w.summary.deadline, *pending->days);
    storage::TicketChange change;
    change.deadline = *moved;
    storage::change_ticket(txn, id, change);
    data["from"] = china_rfc3339(*w.summary.deadline);
    data["to"] = china_rfc3339(*moved);
    if (w.summary.channel == "hotline12328") {
      // 延期申请 to the platform, which keeps its own time limit.
      enqueue_reply(txn, platform_request(ctx, w, *pending, core::ReplyType::extension_request));
    }
  }
  storage::append_ticket_event(txn, id,
                               decision == "approve" ? "extension.approved" : "extension.refused",
                               ctx.user().username, data);
  txn.commit();
  return json_response(
      200,
      {{"id", id},
       {"extension", decision == "approve" ? "approved" : "refused"},
       {"deadline", moved ? nlohmann::json(china_rfc3339(*moved))
                          : (w.summary.deadline ? nlohmann::json(china_rfc3339(*w.summary.deadline))
                                                : nlohmann::json())}});
}

// ---- managers --------------------------------------------------------------------------------

http::Response supervise(Context& ctx) {
  Body body(ctx.request);
  const auto note = *body.string("note", true, 2000);
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto w = lock(txn, id);
  require_status(w.summary,
                 {"triage", "assigned", "in_progress", "returned", "reopened", "answered"},
                 "supervise");
  storage::TicketChange change;
  change.supervision_note = note;
  storage::change_ticket(txn, id, change);
  storage::append_ticket_event(txn, id, "ticket.supervised", ctx.user().username, {{"note", note}});
  txn.commit();
  return json_response(200, {{"id", id}, {"supervised", true}});
}

}  // namespace

void require_ticket_visible(const Context& ctx, const TicketSummary& t) {
  require_visible(ctx, t);
}

std::vector<RouteDef> ticket_routes() {
  const std::set<std::string> workers{"operator", "staff", "manager"};
  return {
      {"GET", "/api/v1/tickets", workers, list},
      {"POST", "/api/v1/tickets", {"operator"}, record_appeal, 32 * 1024},
      {"GET", "/api/v1/tickets/{id}", workers, detail},
      {"GET", "/api/v1/tickets/{id}/contact", workers, contact},
      {"POST", "/api/v1/tickets/{id}/claim", {"staff"}, claim},
      {"POST", "/api/v1/tickets/{id}/answers", {"staff"}, answer, 96 * 1024},
      {"POST", "/api/v1/tickets/{id}/return", {"staff"}, request_return},
      {"POST", "/api/v1/tickets/{id}/return/review", {"operator", "manager"}, review_return},
      {"POST", "/api/v1/tickets/{id}/extension", {"staff"}, request_extension},
      {"POST", "/api/v1/tickets/{id}/extension/review", {"manager"}, review_extension},
      {"POST", "/api/v1/tickets/{id}/dispatch", {"operator", "manager"}, dispatch},
      {"POST", "/api/v1/tickets/{id}/reassign", {"manager"}, reassign},
      {"POST", "/api/v1/tickets/{id}/supervise", {"manager"}, supervise},
      {"POST", "/api/v1/tickets/{id}/callback", {"operator"}, callback},
      {"POST", "/api/v1/tickets/{id}/merge", {"operator", "manager"}, merge},
      {"POST", "/api/v1/tickets/{id}/unmerge", {"operator", "manager"}, unmerge},
      {"GET", "/api/v1/duplicate-suggestions", {"operator", "manager"}, duplicate_suggestions},
      {"POST",
       "/api/v1/tickets/{id}/duplicate/confirm",
       {"operator", "manager"},
       confirm_duplicate},
      {"POST", "/api/v1/tickets/{id}/duplicate/reject", {"operator", "manager"}, reject_duplicate},
  };
}

}  // namespace appealhub::gateway::detail
