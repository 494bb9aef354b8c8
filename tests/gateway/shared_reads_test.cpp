// SharedReads: callers of one key share a run, never get an answer older than their call, and
// each gets exactly one answer; a caller waiting holds no thread.

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

// Answers given to callers, from whichever thread gives them.
struct Answers {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> texts;  // "" for nullptr (the run failed)
  SharedReads::Take take() {
    return [this](const SharedReads::Answer& a) {
      std::lock_guard lock(mutex);
      texts.push_back(a ? *a : std::string());
      changed.notify_all();
    };
  }
  std::vector<std::string> wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, 10s, [&] { return texts.size() >= n; }))
        << texts.size() << " answers of " << n;
    return texts;
  }
};

TEST(SharedReads, ALoneCallerRunsAndHasItsAnswerBeforeGetReturns) {
  SharedReads reads;
  Answers answers;
  reads.get(
      "k", [] { return text("a"); }, answers.take());
  reads.get(
      "k", [] { return text("b"); }, answers.take());  // nothing kept between calls
  EXPECT_EQ(answers.texts, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reads.counts().runs, 2u);
  EXPECT_EQ(reads.counts().shared, 0u);
}

TEST(SharedReads, CallersWhoComeDuringARunWaitWithoutAThreadAndShareTheNextOne) {
  SharedReads reads;
  Gate gate;
  std::atomic<int> runs{0};
  const auto run = [&] {
    const int n = ++runs;
    if (n == 1) gate.enter_and_wait();
    return text("run " + std::to_string(n));
  };
  Answers first, late;
  std::thread leader([&] { reads.get("queue", run, first.take()); });
  gate.wait_entered();
  // Late callers return at once: they wait as callbacks, not as blocked threads.
  constexpr int kLate = 6;
  for (int i = 0; i < kLate; ++i) {
    reads.get(
        "queue", [] { return text("never run: the runner's run serves the key"); }, late.take());
  }
  EXPECT_TRUE(late.texts.empty());
  EXPECT_EQ(runs.load(), 1);
  gate.release();
  leader.join();  // the leader answered itself, then ran once more for the late callers
  EXPECT_EQ(first.texts, (std::vector<std::string>{"run 1"}));
  EXPECT_EQ(late.wait_for(kLate), std::vector<std::string>(kLate, "run 2"));
  EXPECT_EQ(runs.load(), 2);
  EXPECT_EQ(reads.counts().runs, 2u);
  EXPECT_EQ(reads.counts().shared, static_cast<std::uint64_t>(kLate));
}

TEST(SharedReads, KeysDoNotShare) {
  SharedReads reads;
  Gate gate;
  Answers a, b;
  std::thread first([&] {
    reads.get(
        "a",
        [&] {
          gate.enter_and_wait();
          return text("for a");
        },
        a.take());
  });
  gate.wait_entered();
  reads.get(
      "b", [] { return text("for b"); }, b.take());  // not held up by the run for "a"
  EXPECT_EQ(b.texts, (std::vector<std::string>{"for b"}));
  gate.release();
  first.join();
  EXPECT_EQ(a.texts, (std::vector<std::string>{"for a"}));
}

// The property the gateway relies on: whatever was written before a call is in its answer, and
// every call is answered once.
TEST(SharedReads, NoAnswerIsOlderThanItsCallAndEveryCallIsAnsweredOnce) {
  SharedReads reads;
  std::atomic<long> written{0};  // the "store": a counter writers bump
  const auto run = [&] {
    const long seen = written.load();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return text(std::to_string(seen));
  };
  std::atomic<long> stale{0}, answered{0}, calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 300; ++i) {
        long before = written.load();
        if (random() % 3 == 0) before = ++written;  // this caller wrote, then reads
        ++calls;
        reads.get("queue", run, [&, before](const SharedReads::Answer& a) {
          if (!a || std::stol(*a) < before) ++stale;
          ++answered;
        });
        if (random() % 4 == 0)
          std::this_thread::sleep_for(std::chrono::microseconds(random() % 300));
      }
    });
  }
  for (auto& t : threads) t.join();
  // The last runner returns only when nobody waits: every answer is given by now.
  EXPECT_EQ(calls.load(), 8 * 300);
  EXPECT_EQ(answered.load(), calls.load());
  EXPECT_EQ(stale.load(), 0);
  const auto counts = reads.counts();
  EXPECT_LT(counts.runs, static_cast<std::uint64_t>(calls.load()));  // some were shared
  EXPECT_GT(counts.shared, 0u);
}

TEST(SharedReads, WhenARunFailsItsRunnerHasTheErrorAndEveryWaitingCallerRunsOnItsOwn) {
  SharedReads reads;
  Gate first_run, second_run;
  std::atomic<int> runs{0};
  const auto run = [&]() -> SharedReads::Answer {
    const int n = ++runs;
    if (n == 1) first_run.enter_and_wait();
    if (n == 2) {
      second_run.enter_and_wait();
      throw std::runtime_error("database unreachable");
    }
    return text("run " + std::to_string(n));
  };
  Answers leader_answer, shared, orphans;
  std::atomic<int> leader_errors{0};
  std::thread leader([&] {
    try {
      reads.get("k", run, leader_answer.take());
    } catch (const std::runtime_error&) {
      ++leader_errors;  // the second run's failure: it ran it, for the others
    }
  });
  first_run.wait_entered();
  for (int i = 0; i < 3; ++i) reads.get("k", run, shared.take());  // for the second run
  first_run.release();
  second_run.wait_entered();
  for (int i = 0; i < 2; ++i) reads.get("k", run, orphans.take());  // came during the second
  second_run.release();
  leader.join();
  EXPECT_EQ(leader_answer.texts, (std::vector<std::string>{"run 1"}));
  EXPECT_EQ(leader_errors.load(), 1);
  // nullptr: those callers run on their own (the gateway runs them again, alone).
  EXPECT_EQ(shared.wait_for(3), std::vector<std::string>(3, ""));
  EXPECT_EQ(orphans.wait_for(2), std::vector<std::string>(2, ""));
  EXPECT_EQ(runs.load(), 2);
  // The key is free again: the next caller runs.
  Answers after;
  reads.get(
      "k", [] { return text("fresh"); }, after.take());
  EXPECT_EQ(after.texts, (std::vector<std::string>{"fresh"}));
}

TEST(SharedReads, AFailedFirstRunIsItsRunnersErrorAlone) {
  SharedReads reads;
  Answers mine;
  EXPECT_THROW(
      reads.get(
          "k", []() -> SharedReads::Answer { throw std::runtime_error("syntax"); }, mine.take()),
      std::runtime_error);
  EXPECT_TRUE(mine.texts.empty());
  EXPECT_EQ(reads.counts().shared, 0u);
}

}  // namespace
}  // namespace appealhub::gateway
