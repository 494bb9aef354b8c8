#pragma once
// Where the database is, as the "database" section sets it, with its one set of defaults. Plain
// data on the standard library alone: config/ reads the section straight into it, and every part
// connects with it (storage/database.hpp).

#include <string>

namespace appealhub::storage {

struct DatabaseConfig {
  // libpq URI or key=value string; the password comes from the environment (PGPASSWORD or the
  // variable password_env names), never from the configuration file.
  std::string uri = "postgresql://appealhub@127.0.0.1:55432/appealhub";
  std::string password_env = "APPEALHUB_PG_PASSWORD";
};

}  // namespace appealhub::storage
