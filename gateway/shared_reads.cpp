#include "gateway/shared_reads.hpp"

#include <condition_variable>
#include <exception>

namespace appealhub::gateway {

// The callers one run answers. They sleep on `changed` until the run is done, or until the run
// before ends and one of them is woken to run theirs (lead); each wake-up has a use.
struct SharedReads::Round {
  std::condition_variable changed;
  int callers = 1;
  bool lead = false;  // the run before ended: one caller is to run this one
  bool done = false;
  bool failed = false;
  Answer answer;
};

struct SharedReads::Slot {
  std::shared_ptr<Round> running;  // under way
  std::shared_ptr<Round> next;     // the callers who came while `running` was under way
};

SharedReads::Answer SharedReads::get(const std::string& key, const std::function<Answer()>& run) {
  std::unique_lock lock(mutex_);
  auto& entry = slots_[key];
  if (!entry) entry = std::make_shared<Slot>();
  const auto slot = entry;
  std::shared_ptr<Round> round;
  if (!slot->running && !slot->next) {
    round = slot->running = std::make_shared<Round>();
  } else {
    // A run is under way, or the one before just ended and its successor's runner is waking:
    // either way this caller belongs to the next run.
    if (slot->next) {
      ++slot->next->callers;
    } else {
      slot->next = std::make_shared<Round>();
    }
    round = slot->next;
    round->changed.wait(lock, [&] { return round->done || round->lead; });
    if (round->done) {
      if (!round->failed) return round->answer;
      lock.unlock();
      return run();
    }
    round->lead = false;
    slot->running = round;
    slot->next = nullptr;
  }
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
  round->done = true;
  round->failed = error != nullptr;
  round->answer = answer;
  if (!error && round->callers > 1) counts_.shared += static_cast<std::uint64_t>(round->callers);
  slot->running = nullptr;
  if (slot->next) {
    slot->next->lead = true;
    slot->next->changed.notify_one();
  } else if (const auto it = slots_.find(key); it != slots_.end() && it->second == slot) {
    slots_.erase(it);  // nobody waits for a next run
  }
  if (round->callers > 1) round->changed.notify_all();
  lock.unlock();
  if (error) std::rethrow_exception(error);
  return answer;
}

SharedReads::Counts SharedReads::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace appealhub::gateway
