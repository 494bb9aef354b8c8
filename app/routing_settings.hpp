#pragma once
// The routing configuration in force, from the settings documents in the database: departments,
// routing rules and calendar days. Seeds the shipped defaults into an empty database, reloads
// when an administrator saves a new version, and keeps the previous configuration (reporting
// why) when a new version does not parse. Every router process follows the same documents.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "router/ticket_router.hpp"
#include "storage/database.hpp"

namespace appealhub::app {

// Names of the settings documents and the shipped file each starts from.
inline constexpr const char* kDepartmentsDocument = "departments";
inline constexpr const char* kRulesDocument = "routing_rules";
inline constexpr const char* kCalendarDocument = "calendar_days";

// Parses a document of one of the names above; returns the errors ("file: field: message").
std::vector<std::string> check_document(const std::string& name, const std::string& body,
                                        const std::string& departments_body);

class RoutingSettings {
 public:
  // `deadlines` and `duplicates` come from the configuration file and apply to every setup.
  explicit RoutingSettings(storage::DatabaseConfig database, core::DeadlinePolicy deadlines = {},
                           router::DuplicatePolicy duplicates = {});

  // Stores each shipped default as version 1 of its document when the database has none.
  void seed_defaults();

  // Loads the documents when their versions changed. Returns the errors of a version that was
  // refused (the previous setup stays in force); empty when the setup is current.
  std::vector<std::string> refresh();

  // The setup in force; null before the first successful refresh.
  std::shared_ptr<const router::RoutingSetup> current() const;

  // refresh() every `interval` until stop.
  void run(const std::atomic<bool>& stop, std::chrono::milliseconds interval);

 private:
  storage::DatabaseConfig database_;
  core::DeadlinePolicy deadlines_;
  router::DuplicatePolicy duplicates_;
  mutable std::mutex mutex_;
  std::shared_ptr<const router::RoutingSetup> setup_;
};

}  // namespace appealhub::app
