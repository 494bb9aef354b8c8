#include "gateway/shared_reads.hpp"

#include <exception>
#include <vector>

namespace appealhub::gateway {

// A key has a slot only while a thread runs for it: callers who find one wait in `next`.
struct SharedReads::Slot {
  std::vector<Take> next;  // callers who came after the current run started
};

namespace {

// A caller that cannot take its answer must not keep the others from theirs.
void give(const SharedReads::Take& take, const SharedReads::Answer& answer) {
  try {
    take(answer);
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be told to that caller
  }
}

}  // namespace

void SharedReads::get(const std::string& key, const std::function<Answer()>& run, Take mine) {
  std::unique_lock lock(mutex_);
  auto& entry = slots_[key];
  if (entry) {
    entry->next.push_back(std::move(mine));
    return;
  }
  entry = std::make_shared<Slot>();
  const auto slot = entry;
  std::vector<Take> takers;  // the run's callers besides `mine`
  for (bool first = true;; first = false) {
    // Everyone who came before this run starts shares it.
    for (auto& take : slot->next) takers.push_back(std::move(take));
    slot->next.clear();
    ++counts_.runs;
    lock.unlock();
    Answer answer;
    std::exception_ptr error;
    try {
      answer = run();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    const std::size_t callers = takers.size() + (first ? 1 : 0);
    if (!error && callers > 1) counts_.shared += callers;
    // After a failure this thread stops running for the key: whoever came meanwhile runs alone.
    std::vector<Take> orphans;
    if (error) orphans.swap(slot->next);
    const bool again = !slot->next.empty();
    if (!again) slots_.erase(key);
    lock.unlock();
    if (error) {
      for (auto& take : takers) give(take, nullptr);
      for (auto& take : orphans) give(take, nullptr);
      std::rethrow_exception(error);
    }
    if (first) give(mine, answer);
    for (auto& take : takers) give(take, answer);
    if (!again) return;
    takers.clear();
    lock.lock();
  }
}

SharedReads::Counts SharedReads::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace appealhub::gateway
