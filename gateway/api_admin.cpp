// Administration: users and their roles, and the settings documents routing runs on
// (departments, rules, calendar days). Documents are checked before they are saved; every
// router and gateway follows the new version within seconds.

#include "gateway/api_internal.hpp"
#include "gateway/credentials.hpp"
#include "storage/settings_documents.hpp"

namespace appealhub::gateway::detail {
namespace {

const std::set<std::string> kRoles{"operator", "staff", "manager", "admin"};

void check_roles(const Context& ctx, const std::vector<std::string>& roles,
                 const std::vector<std::string>& departments) {
  if (roles.empty()) bad_request("roles", "at least one role");
  for (const auto& r : roles) {
    if (!kRoles.contains(r)) bad_request("roles", "unknown role '" + r + "'");
  }
  const bool staff = std::find(roles.begin(), roles.end(), "staff") != roles.end();
  if (staff && departments.empty())
    bad_request("departments", "staff need at least one department");
  const auto setup = ctx.services.routing();
  for (const auto& d : departments) {
    if (!setup->departments->find(d)) bad_request("departments", "unknown department '" + d + "'");
  }
}

std::string checked_password(Body& body, bool required) {
  const auto password = body.string("password", required, 128);
  if (!password) return {};
  if (const auto problem = password_problem(*password); !problem.empty()) {
    bad_request("password", problem);
  }
  return hash_password(*password);
}

http::Response list_users(Context& ctx) {
  ctx.allow_query({});
  pqxx::read_transaction txn(ctx.db);
  nlohmann::json users = nlohmann::json::array();
  for (const auto& u : storage::list_users(txn)) users.push_back(public_user(u));
  return json_response(200, {{"users", users}});
}

http::Response create_user(Context& ctx) {
  Body body(ctx.request);
  storage::NewUser u;
  u.username = *body.string("username", true, 64);
  for (const char c : u.username) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      bad_request("username", "only letters, digits, '.', '_' and '-'");
    }
  }
  u.display_name = body.string("display_name", false, 100, true).value_or("");
  u.roles = *body.strings("roles", true);
  u.departments = body.strings("departments", false).value_or(std::vector<std::string>{});
  u.password_hash = checked_password(body, true);
  body.finish();
  check_roles(ctx, u.roles, u.departments);
  pqxx::work txn(ctx.db);
  try {
    const auto created = storage::create_user(txn, u);
    txn.commit();
    return json_response(201, {{"user", public_user(created)}});
  } catch (const std::invalid_argument& e) {
    throw ApiError(409, "conflict", e.what());
  }
}

http::Response update_user(Context& ctx) {
  Body body(ctx.request);
  storage::UserChange c;
  c.display_name = body.string("display_name", false, 100, true);
  c.roles = body.strings("roles", false);
  c.departments = body.strings("departments", false);
  c.active = body.boolean("active", false);
  if (const auto hash = checked_password(body, false); !hash.empty()) c.password_hash = hash;
  body.finish();
  const auto id = ctx.id_param();
  pqxx::work txn(ctx.db);
  const auto existing = storage::find_user(txn, id);
  if (!existing) not_found("user " + std::to_string(id));
  check_roles(ctx, c.roles.value_or(existing->roles),
              c.departments.value_or(existing->departments));
  if (id == ctx.user().id &&
      ((c.active && !*c.active) ||
       (c.roles && std::find(c.roles->begin(), c.roles->end(), "admin") == c.roles->end()))) {
    conflict("administrators cannot lock themselves out");
  }
  const auto updated = storage::update_user(txn, id, c);
  txn.commit();
  ctx.services.principals->clear();  // roles, departments or access changed: read them again
  return json_response(200, {{"user", public_user(*updated)}});
}

http::Response get_document(Context& ctx, const std::string& name) {
  ctx.allow_query({});
  pqxx::read_transaction txn(ctx.db);
  const auto doc = storage::current_document(txn, name);
  if (!doc) not_found(name);
  return json_response(200, {{"name", name},
                             {"version", doc->version},
                             {"created_by", doc->created_by},
                             {"document", nlohmann::json::parse(doc->body)}});
}

http::Response put_document(Context& ctx, const std::string& name) {
  Body body(ctx.request);  // malformed JSON and non-objects are refused here
  const auto text = body.json().dump();
  pqxx::work txn(ctx.db);
  const auto departments = storage::current_document(txn, "departments");
  const auto errors = ctx.services.check_document(
      name, text, name == "departments" ? text : (departments ? departments->body : "{}"));
  if (!errors.empty()) {
    nlohmann::json list = errors;
    auto r =
        json_response(400, {{"error", "invalid"}, {"message", errors.front()}, {"errors", list}});
    return r;
  }
  const auto version = storage::save_document(txn, name, text, ctx.user().username);
  txn.commit();
  return json_response(200, {{"name", name}, {"version", version}});
}

http::Response get_departments(Context& ctx) {
  return get_document(ctx, "departments");
}
http::Response put_departments(Context& ctx) {
  return put_document(ctx, "departments");
}
http::Response get_rules(Context& ctx) {
  return get_document(ctx, "routing_rules");
}
http::Response put_rules(Context& ctx) {
  return put_document(ctx, "routing_rules");
}
http::Response get_calendar(Context& ctx) {
  return get_document(ctx, "calendar_days");
}
http::Response put_calendar(Context& ctx) {
  return put_document(ctx, "calendar_days");
}

}  // namespace

std::vector<RouteDef> admin_routes() {
  constexpr std::size_t kDocumentLimit = 1024 * 1024;
  return {
      {"GET", "/api/v1/users", {"admin"}, list_users},
      {"POST", "/api/v1/users", {"admin"}, create_user},
      {"PATCH", "/api/v1/users/{id}", {"admin"}, update_user},
      {"GET", "/api/v1/departments", {"*"}, get_departments},
      {"PUT", "/api/v1/departments", {"admin"}, put_departments, kDocumentLimit},
      {"GET", "/api/v1/rules", {"admin", "manager"}, get_rules},
      {"PUT", "/api/v1/rules", {"admin"}, put_rules, kDocumentLimit},
      {"GET", "/api/v1/calendar", {"*"}, get_calendar},
      {"PUT", "/api/v1/calendar", {"admin"}, put_calendar, kDocumentLimit},
  };
}

}  // namespace appealhub::gateway::detail
