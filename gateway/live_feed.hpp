#pragma once
// Event stream answers waiting for news (GET /api/v1/events) hold no worker thread: each waits
// here as a callback. One thread reads the ticket feed for all of them every `poll`, one
// statement however many wait, and answers each with the events it may see (its departments
// lead or assist the ticket), or with nothing when its wait is over (decision 0027).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/ticket_feed.hpp"

namespace appealhub::gateway {

class LiveFeed {
 public:
  static constexpr std::size_t kMaxAnswer = 200;  // also the most a first read answers with
  struct Options {
    std::chrono::milliseconds poll{500};
    // Reads go on this long after the last wait began: an answered client comes back (after
    // the stream's `retry`, 1 s) to a fresh frontier and waits without a read of its own.
    std::chrono::milliseconds keep_reading{3000};
    int batch = 1000;  // events read per poll, for every waiter
    std::size_t max_answer =
        kMaxAnswer;  // events in one answer; the client asks again for the rest
    std::size_t max_waiting = 1024;
  };
  // Up to `limit` events with id > after, every department, oldest first; throws on failure
  // (the waiters keep waiting; the next poll reads again).
  using Read = std::function<std::vector<storage::FeedEvent>(std::int64_t after, int limit)>;
  // A waiter's answer: its events (empty when its wait ended first) and its new place in the
  // feed: past the last of them, up to the end of what was read when it got all it may see
  // there. Called once, on the feed's thread (or the caller of stop()), outside any lock.
  using Answer = std::function<void(std::vector<storage::FeedEvent> events, std::int64_t last)>;

  LiveFeed(Read read, Options options);
  ~LiveFeed();  // stop()
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Waits for events with id > after that `departments` may see (empty: every ticket) until
  // `until`. False, and `answer` dropped, when max_waiting wait already or after stop(). Every
  // poll reads from the earliest place among the waiters, `batch` events at most: a waiter
  // should come with a place near the feed's end (what it may see before that, it was told).
  bool wait(std::int64_t after, std::vector<std::string> departments,
            std::chrono::steady_clock::time_point until, Answer answer);
  // Answers every waiter now with what it has (a draining gateway's clients reconnect
  // elsewhere), refuses later waits and ends the thread. Idempotent.
  void stop();

  // The newest id known to be in the feed: read by the feed, or told by saw(); 0 at first.
  std::int64_t frontier() const;
  void saw(std::int64_t id);
  // True when `after` is close to a frontier learnt within the last two polls: a waiter from
  // there needs no read of its own first, the feed's next read covers what came after it.
  bool near(std::int64_t after) const;

  std::size_t waiting() const;
  std::uint64_t reads() const;  // feed statements run

 private:
  struct Waiter {
    std::int64_t after;
    std::vector<std::string> departments;
    std::chrono::steady_clock::time_point until;
    Answer answer;
  };
  void loop();
  bool sees(const Waiter& w, const storage::FeedEvent& e) const;

  Read read_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::list<Waiter> waiters_;
  std::uint64_t reads_ = 0;
  std::int64_t frontier_ = 0;
  std::chrono::steady_clock::time_point frontier_learnt_{};
  std::chrono::steady_clock::time_point keep_reading_until_{};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace appealhub::gateway
