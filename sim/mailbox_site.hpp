#pragma once
// The bureau website's leader mailbox (局长信箱), server side of
// docs/channels/leader-mailbox-api.md: letters with an opaque cursor in seq order, re-indexing
// (a letter shows up again later), bearer-token auth, 10 requests a second per token, the reply
// endpoint with its Idempotency-Key rules, and the ratings feed.

#include <cstdint>
#include <memory>
#include <string>

#include "sim/sim_host.hpp"

namespace appealhub::sim {

struct MailboxOptions {
  std::string token;  // the bearer token the website accepts
  std::uint64_t seed = 1;
  double rate_limit = 10;  // requests a second per token
  // What happens to letters over time (each a fraction of the letters it can happen to).
  double private_fraction = 0.25;       // letters whose writer refused publication
  double withdraw_fraction = 0.05;      // pending letters the citizen withdraws
  double spam_fraction = 0.03;          // pending letters the website marks as spam
  double rating_fraction = 0.7;         // published replies the citizen rates
  double rating_change_fraction = 0.2;  // ratings changed later
  double reindex_fraction = 0.05;       // list requests that re-index an earlier letter
  double life_seconds = 30;             // life events happen within this long of their cause
  std::int64_t first_seq = 1001;
};

std::unique_ptr<Simulation> make_mailbox_simulation(const MailboxOptions& options);

}  // namespace appealhub::sim
