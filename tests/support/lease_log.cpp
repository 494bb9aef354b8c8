#include "tests/support/lease_log.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

namespace appealhub::testing {

std::vector<Taken> taken_lines(const std::vector<std::string>& logs) {
  std::vector<Taken> out;
  for (const auto& log : logs) {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"taken\"") == std::string::npos) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || j.value("part", "") != "lease" || j.value("msg", "") != "taken")
        continue;
      out.push_back({j["ts"], j["lease"], j["kind"], j["what"], j["pid"], j["session"]});
    }
  }
  return out;
}

std::vector<std::string> overlapping_holders(const std::vector<Taken>& taken,
                                             std::map<std::string, int>& holders) {
  std::map<std::string,
           std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>>>
      spans;  // lease -> (pid, session) -> (first ts, last ts)
  for (const auto& t : taken) {
    auto [it, fresh] = spans[t.lease].try_emplace({t.pid, t.session}, t.ts, t.ts);
    if (!fresh) {
      it->second.first = std::min(it->second.first, t.ts);
      it->second.second = std::max(it->second.second, t.ts);
    }
  }
  std::vector<std::string> problems;
  for (const auto& [lease, by_holder] : spans) {
    holders[lease] = static_cast<int>(by_holder.size());
    std::vector<std::tuple<std::string, std::string, std::string>> sorted;  // first, last, who
    for (const auto& [who, span] : by_holder) {
      sorted.emplace_back(span.first, span.second, who.first + "/" + who.second);
    }
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (std::get<0>(sorted[i]) <= std::get<1>(sorted[i - 1])) {
        problems.push_back(lease + ": " + std::get<2>(sorted[i]) + " took at " +
                           std::get<0>(sorted[i]) + " while " + std::get<2>(sorted[i - 1]) +
                           " held it until " + std::get<1>(sorted[i - 1]));
      }
    }
  }
  return problems;
}

}  // namespace appealhub::testing
