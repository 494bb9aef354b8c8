#include "app/routing_settings.hpp"

#include <pqxx/pqxx>
#include <thread>

#include "config/holidays.hpp"
#include "config/shipped_defaults.hpp"
#include "core/log.hpp"
#include "storage/settings_documents.hpp"

namespace appealhub::app {
namespace {

const char* shipped_file(const std::string& name) {
  if (name == kDepartmentsDocument) return "departments.json";
  if (name == kRulesDocument) return "routing-rules.json";
  if (name == kCalendarDocument) return "cn-public-holidays.json";
  return "";
}

template <typename Errors>
std::vector<std::string> texts(const Errors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.to_string());
  return out;
}

}  // namespace

std::vector<std::string> check_document(const std::string& name, const std::string& body,
                                        const std::string& departments_body) {
  const std::string source = name + ".json";
  if (name == kDepartmentsDocument) return texts(router::parse_departments(body, source).errors);
  if (name == kCalendarDocument) return texts(config::parse_holidays(body, source).errors);
  if (name == kRulesDocument) {
    const auto departments = router::parse_departments(departments_body, "departments.json");
    if (!departments.directory) return {"routing rules need a valid departments document first"};
    return texts(router::parse_routing_rules(body, source, *departments.directory).errors);
  }
  return {"unknown settings document '" + name + "' (departments, routing_rules, calendar_days)"};
}

RoutingSettings::RoutingSettings(storage::DatabaseConfig database, core::DeadlinePolicy deadlines,
                                 router::DuplicatePolicy duplicates)
    : database_(std::move(database)), deadlines_(std::move(deadlines)), duplicates_(duplicates) {}

void RoutingSettings::seed_defaults() {
  auto connection = storage::connect(database_);
  pqxx::work txn(*connection);
  for (const char* name : {kDepartmentsDocument, kRulesDocument, kCalendarDocument}) {
    if (storage::seed_document(txn, name,
                               std::string(config::shipped_default(shipped_file(name))))) {
      core::log_info("settings", "shipped default stored", {{"document", name}});
    }
  }
  txn.commit();
}

std::vector<std::string> RoutingSettings::refresh() {
  auto connection = storage::connect(database_);
  pqxx::read_transaction txn(*connection);
  const auto versions = storage::current_versions(txn);
  if (const auto now = current(); now && now->versions == versions) return {};

  const auto departments_doc = storage::current_document(txn, kDepartmentsDocument);
  const auto rules_doc = storage::current_document(txn, kRulesDocument);
  const auto calendar_doc = storage::current_document(txn, kCalendarDocument);
  if (!departments_doc || !rules_doc || !calendar_doc) {
    return {"settings documents missing: run `appealhub migrate` to store the shipped defaults"};
  }
  std::vector<std::string> errors;
  const auto departments = router::parse_departments(
      departments_doc->body, "departments v" + std::to_string(departments_doc->version));
  for (auto& e : texts(departments.errors)) errors.push_back(std::move(e));
  const auto calendar = config::parse_holidays(
      calendar_doc->body, "calendar_days v" + std::to_string(calendar_doc->version));
  for (auto& e : texts(calendar.errors)) errors.push_back(std::move(e));
  if (!errors.empty()) return errors;
  const auto rules = router::parse_routing_rules(
      rules_doc->body, "routing_rules v" + std::to_string(rules_doc->version),
      *departments.directory);
  if (!rules.errors.empty()) return texts(rules.errors);

  auto setup = std::make_shared<router::RoutingSetup>();
  setup->departments = std::make_shared<const router::DepartmentDirectory>(*departments.directory);
  setup->rules = rules.rules;
  setup->calendar = std::make_shared<const core::WorkingCalendar>(*calendar.calendar);
  setup->deadlines = deadlines_;
  setup->duplicates = duplicates_;
  setup->versions = versions;
  {
    const std::lock_guard lock(mutex_);
    setup_ = std::move(setup);
  }
  core::log_info("settings", "routing configuration loaded",
                 {{"departments", std::to_string(departments_doc->version)},
                  {"routing_rules", std::to_string(rules_doc->version)},
                  {"calendar_days", std::to_string(calendar_doc->version)}});
  return {};
}

std::shared_ptr<const router::RoutingSetup> RoutingSettings::current() const {
  const std::lock_guard lock(mutex_);
  return setup_;
}

void RoutingSettings::run(const std::atomic<bool>& stop, std::chrono::milliseconds interval) {
  std::vector<std::string> reported;  // a refused version is reported once
  while (!stop.load()) {
    try {
      const auto errors = refresh();
      if (!errors.empty() && errors != reported) {
        core::log_error("settings", "new settings refused; the previous ones stay in force",
                        {{"errors", [&] {
                            std::string all;
                            for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
                            return all;
                          }()}});
      }
      reported = errors;
    } catch (const std::exception& e) {
      core::log_warn("settings", "refresh failed", {{"error", e.what()}});
    }
    const auto until = std::chrono::steady_clock::now() + interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace appealhub::app
