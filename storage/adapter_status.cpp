#include "storage/adapter_status.hpp"

#include <pqxx/pqxx>

namespace appealhub::storage {

void write_adapter_status(pqxx::dbtransaction& txn, const AdapterStatusUpdate& update) {
  txn.exec_params(
      "INSERT INTO adapter_status (adapter, instance, last_success_at, last_error, last_error_at,"
      " caught_up_at, lag_seconds, counters, updated_at)"
      " VALUES ($1, $2, to_timestamp($3), $4, to_timestamp($5), to_timestamp($6), $7,"
      " $8::jsonb, now())"
      " ON CONFLICT (adapter) DO UPDATE SET instance = EXCLUDED.instance,"
      " last_success_at = coalesce(EXCLUDED.last_success_at, adapter_status.last_success_at),"
      " last_error = CASE WHEN EXCLUDED.last_error_at IS NULL THEN adapter_status.last_error"
      " ELSE EXCLUDED.last_error END,"
      " last_error_at = coalesce(EXCLUDED.last_error_at, adapter_status.last_error_at),"
      " caught_up_at = EXCLUDED.caught_up_at,"
      " lag_seconds = EXCLUDED.lag_seconds, counters = EXCLUDED.counters, updated_at = now()",
      update.adapter, update.instance, update.last_success, update.last_error, update.last_error_at,
      update.caught_up_at, update.lag_seconds, update.counters_json);
}

std::vector<AdapterStatus> read_adapter_status(pqxx::dbtransaction& txn) {
  std::vector<AdapterStatus> out;
  for (const auto& r : txn.exec("SELECT adapter, instance, last_error,"
                                " coalesce(to_char(last_error_at AT TIME ZONE 'Asia/Shanghai',"
                                " 'YYYY-MM-DD HH24:MI:SS'), ''),"
                                " lag_seconds + extract(epoch FROM now() - updated_at),"
                                " coalesce(extract(epoch FROM now() - last_success_at), -1),"
                                " coalesce(last_error_at > coalesce(last_success_at, '-infinity')"
                                " AND updated_at > now() - interval '10 minutes', false),"
                                " counters::text"
                                " FROM adapter_status ORDER BY adapter, instance")) {
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   r[3].as<std::string>(), r[4].as<double>(), r[5].as<double>(), r[6].as<bool>(),
                   r[7].as<std::string>()});
  }
  return out;
}

}  // namespace appealhub::storage
