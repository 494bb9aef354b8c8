#include "gateway/live_feed.hpp"

#include <algorithm>
#include <exception>

#include "core/log.hpp"

namespace appealhub::gateway {

namespace {

struct Due {
  LiveFeed::Answer answer;
  std::vector<storage::FeedEvent> events;
  std::int64_t last;
};

// A waiter that cannot take its answer (its connection went away) must not keep the others
// from theirs.
void give(std::vector<Due>& due) {
  for (auto& d : due) {
    try {
      d.answer(std::move(d.events), d.last);
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be told to that waiter
    }
  }
}

}  // namespace

LiveFeed::LiveFeed(Read read, Options options)
    : read_(std::move(read)), options_(options), thread_([this] { loop(); }) {}

LiveFeed::~LiveFeed() {
  stop();
}

bool LiveFeed::wait(std::int64_t after, std::vector<std::string> departments,
                    std::chrono::steady_clock::time_point until, Answer answer) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ || waiters_.size() >= options_.max_waiting) return false;
    waiters_.push_back({after, std::move(departments), until, std::move(answer)});
    keep_reading_until_ = std::chrono::steady_clock::now() + options_.keep_reading;
  }
  wake_.notify_one();
  return true;
}

void LiveFeed::stop() {
  std::vector<Due> due;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& w : waiters_) due.push_back({std::move(w.answer), {}, w.after});
    waiters_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  give(due);
}

std::int64_t LiveFeed::frontier() const {
  const std::lock_guard lock(mutex_);
  return frontier_;
}

void LiveFeed::saw(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  frontier_ = std::max(frontier_, id);
  frontier_learnt_ = std::chrono::steady_clock::now();
}

bool LiveFeed::near(std::int64_t after) const {
  const std::lock_guard lock(mutex_);
  return frontier_ > 0 &&
         std::chrono::steady_clock::now() - frontier_learnt_ <= 2 * options_.poll &&
         after >= frontier_ - options_.batch / 2;
}

std::size_t LiveFeed::waiting() const {
  const std::lock_guard lock(mutex_);
  return waiters_.size();
}

std::uint64_t LiveFeed::reads() const {
  const std::lock_guard lock(mutex_);
  return reads_;
}

bool LiveFeed::sees(const Waiter& w, const storage::FeedEvent& e) const {
  if (w.departments.empty()) return true;
  // A ticket on the dispatch desk has no lead (""): no department's.
  const auto mine = [&](const std::string& d) {
    return !d.empty() &&
           std::find(w.departments.begin(), w.departments.end(), d) != w.departments.end();
  };
  return mine(e.lead_department) ||
         std::any_of(e.assisting_departments.begin(), e.assisting_departments.end(), mine);
}

void LiveFeed::loop() {
  bool failing = false;  // logged once per stretch of failed reads
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Nobody waits and nobody waited lately: sleep until someone does.
    if (waiters_.empty() &&
        (frontier_ == 0 || std::chrono::steady_clock::now() >= keep_reading_until_)) {
      wake_.wait(lock, [&] { return stopping_ || !waiters_.empty(); });
      continue;
    }
    // Everyone waiting reads from the earliest place among them: one statement per poll.
    // Without waiters, the read keeps the frontier fresh for the clients about to come back.
    std::int64_t from = waiters_.empty() ? frontier_ : waiters_.front().after;
    for (const auto& w : waiters_) from = std::min(from, w.after);
    ++reads_;
    lock.unlock();
    std::vector<storage::FeedEvent> events;
    bool read = true;
    try {
      events = read_(from, options_.batch);
      if (failing) core::log_info("gateway", "live feed readable again");
      failing = false;
    } catch (const std::exception& e) {
      read = false;
      if (!failing) core::log_warn("gateway", "live feed unreadable", {{"error", e.what()}});
      failing = true;
    }
    const auto now = std::chrono::steady_clock::now();
    std::vector<Due> due;
    lock.lock();
    if (read) {
      if (!events.empty()) frontier_ = std::max(frontier_, events.back().id);
      frontier_learnt_ = now;
    }
    for (auto w = waiters_.begin(); w != waiters_.end();) {
      // The read covers (from, its last]: a waiter that came during it from an earlier place
      // is left to the next read, which starts at its place.
      const bool covered = read && w->after >= from;
      std::vector<storage::FeedEvent> mine;
      bool all = true;  // every event of the read it may see is in `mine`
      for (const auto& e : covered ? events : std::vector<storage::FeedEvent>{}) {
        if (e.id <= w->after || !sees(*w, e)) continue;
        if (mine.size() == options_.max_answer) {
          all = false;
          break;
        }
        mine.push_back(e);
      }
      if (!mine.empty()) {
        const auto last = all ? events.back().id : mine.back().id;
        due.push_back({std::move(w->answer), std::move(mine), last});
        w = waiters_.erase(w);
        continue;
      }
      // Nothing of what was read is this waiter's: its place moves on, the next read starts later.
      if (covered && !events.empty()) w->after = std::max(w->after, events.back().id);
      if (now >= w->until) {
        due.push_back({std::move(w->answer), {}, w->after});
        w = waiters_.erase(w);
        continue;
      }
      ++w;
    }
    lock.unlock();
    give(due);
    lock.lock();
    wake_.wait_for(lock, options_.poll, [&] { return stopping_; });
  }
}

}  // namespace appealhub::gateway
