#pragma once
// "One holder per channel at every moment", read back from the hub's logs: every page and export
// file a poller takes under its ChannelLease is logged as a "taken" line with the process and the
// database session that held the lease (adapters/common/channel_lease.hpp).

#include <map>
#include <string>
#include <vector>

namespace appealhub::testing {

// One "taken" log line: what a lease holder took.
struct Taken {
  std::string ts, lease, kind, what, pid, session;
};

// Every "taken" line of the log files.
std::vector<Taken> taken_lines(const std::vector<std::string>& logs);

// Problems with "one holder at every moment": per lease, the spans from the first to the last
// thing taken by one (process, session) must not overlap. A session holds its lock from taking
// it until it ends, so a thing taken by another holder inside a span means two holders at once.
// `holders` gets the number of (process, session) holders per lease.
std::vector<std::string> overlapping_holders(const std::vector<Taken>& taken,
                                             std::map<std::string, int>& holders);

}  // namespace appealhub::testing
