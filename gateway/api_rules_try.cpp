// POST /api/v1/rules/try: where a sample appeal would go under the rules in force, or under a
// rules document being edited, and why. A dry run of the rule engine: nothing is written, no
// ticket is placed (placement stays with the router, docs/decisions/0005).

#include "core/appeal.hpp"
#include "gateway/api_internal.hpp"
#include "router/routing_rules.hpp"

namespace appealhub::gateway::detail {
namespace {

http::Response try_rules(Context& ctx) {
  Body body(ctx.request);
  const auto rules_doc = body.object("rules", false);
  Body sample(body, "appeal", true);
  body.finish();
  core::Appeal a;
  const auto text = [&](const char* name, std::size_t max) {
    return sample.string(name, false, max, true).value_or("");
  };
  a.channel = text("channel", 32);
  if (a.channel.empty()) a.channel = "operator";
  const auto kind = text("kind", 32);
  if (const auto k = core::parse_appeal_kind(kind.empty() ? "other" : kind)) {
    a.kind = *k;
  } else {
    bad_request("appeal.kind", "unknown kind '" + kind + "'");
  }
  a.category = text("category", 64);
  if (a.category.empty()) a.category = "other";
  if (!core::is_business_category(a.category)) bad_request("appeal.category", "unknown category");
  a.division = text("division", 6);
  a.title = text("title", 400);
  a.content = text("content", 16000);
  a.plate = core::normalize_plate(text("plate", 20));
  const auto urgency = text("urgency", 16);
  sample.finish();
  if (const auto u = core::parse_urgency(urgency.empty() ? "normal" : urgency)) {
    a.urgency = *u;
  } else {
    bad_request("appeal.urgency", "unknown urgency '" + urgency + "'");
  }

  const auto setup = ctx.services.routing();
  std::shared_ptr<const router::RoutingRules> rules = setup->rules;
  if (rules_doc) {
    auto loaded = router::parse_routing_rules(rules_doc->dump(), "rules", *setup->departments);
    if (!loaded.errors.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& e : loaded.errors) list.push_back(e.to_string());
      return json_response(400,
                           {{"error", "invalid"}, {"message", list.front()}, {"errors", list}});
    }
    rules = loaded.rules;
  }
  const auto placement = rules->place(a);
  const auto name = [&](const std::string& code) {
    const auto* d = setup->departments->find(code);
    return d ? d->name : code;
  };
  nlohmann::json assisting = nlohmann::json::array();
  for (const auto& code : placement.assisting) {
    assisting.push_back({{"code", code}, {"name", name(code)}});
  }
  return json_response(200, {{"lead", placement.lead},
                             {"lead_name", name(placement.lead)},
                             {"assisting", assisting},
                             {"rule_id", placement.rule_id},
                             {"reason", placement.reason},
                             {"triage", placement.triage}});
}

}  // namespace

std::vector<RouteDef> rules_try_routes() {
  return {{"POST", "/api/v1/rules/try", {"admin", "manager"}, try_rules, 1024 * 1024}};
}

}  // namespace appealhub::gateway::detail
