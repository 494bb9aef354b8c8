// SharedReads: callers of one key share a run, and never get an answer older than their call.

#include "gateway/shared_reads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace appealhub::gateway {
namespace {

using namespace std::chrono_literals;

SharedReads::Answer text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

// A gate the first run waits at, so that others can come while it is under way.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool entered = false, open = false;
  void enter_and_wait() {
    std::unique_lock lock(mutex);
    entered = true;
    changed.notify_all();
    changed.wait(lock, [&] { return open; });
  }
  void wait_entered() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return entered; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};

TEST(SharedReads, ALoneCallerRunsAndGetsItsAnswer) {
  SharedReads reads;
  EXPECT_EQ(*reads.get("k", [] { return text("a"); }), "a");
  EXPECT_EQ(*reads.get("k", [] { return text("b"); }), "b");  // nothing kept between calls
  EXPECT_EQ(reads.counts().runs, 2u);
  EXPECT_EQ(reads.counts().shared, 0u);
}

TEST(SharedReads, CallersWhoComeDuringARunShareTheNextOne) {
  SharedReads reads;
  Gate gate;
  std::atomic<int> runs{0};
  const auto run = [&] {
    const int n = ++runs;
    if (n == 1) gate.enter_and_wait();
    return text("run " + std::to_string(n));
  };
  std::string first;
  std::thread leader([&] { first = *reads.get("queue", run); });
  gate.wait_entered();
  constexpr int kLate = 6;
  std::vector<std::string> answers(kLate);
  std::vector<std::thread> late;
  for (int i = 0; i < kLate; ++i) {
    late.emplace_back([&, i] { answers[i] = *reads.get("queue", run); });
  }
  // The late callers are waiting (none may run while the first run is under way).
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(runs.load(), 1);
  gate.release();
  leader.join();
  for (auto& t : late) t.join();
  EXPECT_EQ(first, "run 1");
  // Each late caller got an answer from a run after its call. The last one may have come after
  // the second run began, then it is answered by a third.
  for (const auto& a : answers) EXPECT_NE(a, "run 1");
  EXPECT_LE(runs.load(), 3);
  EXPECT_EQ(reads.counts().runs, static_cast<std::uint64_t>(runs.load()));
}

TEST(SharedReads, KeysDoNotShare) {
  SharedReads reads;
  Gate gate;
  std::string a, b;
  std::thread first([&] {
    a = *reads.get("a", [&] {
      gate.enter_and_wait();
      return text("for a");
    });
  });
  gate.wait_entered();
  b = *reads.get("b", [] { return text("for b"); });  // not held up by the run for "a"
  gate.release();
  first.join();
  EXPECT_EQ(a, "for a");
  EXPECT_EQ(b, "for b");
}

// The property the gateway relies on: whatever was written before a call is in its answer.
TEST(SharedReads, NoAnswerIsOlderThanItsCall) {
  SharedReads reads;
  std::atomic<long> written{0};  // the "store": a counter writers bump
  const auto run = [&] {
    const long seen = written.load();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return text(std::to_string(seen));
  };
  std::atomic<long> stale{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 300; ++i) {
        long before = written.load();
        if (random() % 3 == 0) before = ++written;  // this caller wrote, then reads
        const long seen = std::stol(*reads.get("queue", run));
        if (seen < before) ++stale;
        ++calls;
        if (random() % 4 == 0)
          std::this_thread::sleep_for(std::chrono::microseconds(random() % 300));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stale.load(), 0);
  const auto counts = reads.counts();
  EXPECT_EQ(calls.load(), 8 * 300);
  EXPECT_LT(counts.runs, static_cast<std::uint64_t>(calls.load()));  // some were shared
  EXPECT_GT(counts.shared, 0u);
}

TEST(SharedReads, WhenASharedRunFailsEachWaitingCallerRunsOnItsOwn) {
  SharedReads reads;
  Gate gate;
  std::atomic<int> runs{0};
  std::thread leader([&] {
    EXPECT_EQ(*reads.get("k",
                         [&] {
                           ++runs;
                           gate.enter_and_wait();
                           return text("first");
                         }),
              "first");
  });
  gate.wait_entered();
  std::atomic<int> failed{0};
  constexpr int kLate = 4;
  std::vector<std::string> answers(kLate);
  std::vector<std::thread> late;
  for (int i = 0; i < kLate; ++i) {
    late.emplace_back([&, i] {
      try {
        answers[i] = *reads.get("k", [&] {
          // The shared run (the second) fails; the callers' own runs after it succeed.
          if (++runs == 2) throw std::runtime_error("database unreachable");
          return text("own");
        });
      } catch (const std::runtime_error&) {
        ++failed;
      }
    });
  }
  std::this_thread::sleep_for(100ms);
  gate.release();
  leader.join();
  for (auto& t : late) t.join();
  // Only the caller that ran the failed run sees its error; every other caller got an answer.
  EXPECT_EQ(failed.load(), 1);
  int own = 0;
  for (const auto& a : answers) own += a == "own";
  EXPECT_EQ(own, kLate - 1);
}

}  // namespace
}  // namespace appealhub::gateway
