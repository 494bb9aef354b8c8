// LiveFeed: waiting event streams are answered once each, with the events their departments may
// see, from one read per poll however many wait; at their deadline with their place; at stop().

#include "gateway/live_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace appealhub::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The feed's rows, as the database would give them.
struct Rows {
  std::mutex mutex;
  std::vector<storage::FeedEvent> events;
  std::atomic<bool> broken{false};
  std::function<void()> before_read;  // runs at the start of every read, outside the lock
  void add(std::int64_t id, std::string lead, std::vector<std::string> assisting = {}) {
    const std::lock_guard lock(mutex);
    storage::FeedEvent e;
    e.id = id;
    e.ticket_id = id * 10;
    e.type = "ticket.updated";
    e.lead_department = std::move(lead);
    e.assisting_departments = std::move(assisting);
    events.push_back(std::move(e));
  }
  LiveFeed::Read read() {
    return [this](std::int64_t after, int limit) {
      if (before_read) before_read();
      if (broken) throw std::runtime_error("connection lost");
      const std::lock_guard lock(mutex);
      std::vector<storage::FeedEvent> out;
      for (const auto& e : events) {
        if (e.id > after && static_cast<int>(out.size()) < limit) out.push_back(e);
      }
      return out;
    };
  }
};

// Answers by waiter name, each counted.
struct Answers {
  struct Got {
    std::vector<std::int64_t> ids;
    std::int64_t last = -1;
    int times = 0;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, Got> got;
  LiveFeed::Answer to(const std::string& name) {
    return [this, name](std::vector<storage::FeedEvent> events, std::int64_t last) {
      const std::lock_guard lock(mutex);
      auto& g = got[name];
      for (const auto& e : events) g.ids.push_back(e.id);
      g.last = last;
      ++g.times;
      changed.notify_all();
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, limit, [&] { return got.size() >= n; });
  }
  Got of(const std::string& name) {
    const std::lock_guard lock(mutex);
    return got.count(name) ? got[name] : Got{};
  }
};

LiveFeed::Options quick() {
  LiveFeed::Options o;
  o.poll = 20ms;
  o.keep_reading = 200ms;
  return o;
}

TEST(LiveFeed, WaitersGetOnlyWhatTheirDepartmentsLeadOrAssist) {
  Rows rows;
  rows.add(1, "dlys");
  Answers answers;
  LiveFeed feed(rows.read(), quick());
  const auto until = Clock::now() + 10s;
  ASSERT_TRUE(feed.wait(1, {}, until, answers.to("everyone")));
  ASSERT_TRUE(feed.wait(1, {"dlys"}, until, answers.to("dlys")));
  ASSERT_TRUE(feed.wait(1, {"zfzd"}, until, answers.to("zfzd")));
  ASSERT_TRUE(feed.wait(1, {"gljs", "lzq"}, until, answers.to("lzq")));
  // Staff of no department wait with {""}: a ticket on the dispatch desk (lead "") is not theirs.
  ASSERT_TRUE(feed.wait(1, {""}, Clock::now() + 400ms, answers.to("none")));
  rows.add(2, "lzq");
  rows.add(3, "dlys", {"zfzd"});
  rows.add(4, "");
  ASSERT_TRUE(answers.wait_for(5));
  // Read together or apart, each waiter hears only of its own departments' tickets.
  const auto everyone = answers.of("everyone");
  EXPECT_EQ(everyone.ids.back(), everyone.last);
  EXPECT_EQ(answers.of("dlys").ids, std::vector<std::int64_t>{3});
  EXPECT_EQ(answers.of("zfzd").ids, std::vector<std::int64_t>{3}) << "assists #3";
  EXPECT_EQ(answers.of("lzq").ids, std::vector<std::int64_t>{2});
  EXPECT_GE(answers.of("lzq").last, 2);
  EXPECT_TRUE(answers.of("none").ids.empty());
  EXPECT_EQ(answers.of("none").last, 4);
  EXPECT_EQ(feed.waiting(), 0U);
}

TEST(LiveFeed, ManyWaitersShareOneReadPerPoll) {
  Rows rows;
  Answers answers;
  auto options = quick();
  options.poll = 200ms;
  LiveFeed feed(rows.read(), options);
  constexpr int kWaiters = 500;
  for (int i = 0; i < kWaiters; ++i) {
    ASSERT_TRUE(feed.wait(0, {i % 2 ? "dlys" : "lzq"}, Clock::now() + 30s,
                          answers.to("w" + std::to_string(i))));
  }
  const auto before = feed.reads();
  rows.add(1, "dlys");
  rows.add(2, "lzq");
  ASSERT_TRUE(answers.wait_for(kWaiters));
  // Every waiter answered once, by the few polls around the rows' arrival, not one read each.
  EXPECT_LE(feed.reads() - before, 3U);
  for (int i = 0; i < kWaiters; ++i) {
    const auto got = answers.of("w" + std::to_string(i));
    EXPECT_EQ(got.times, 1);
    EXPECT_EQ(got.ids, std::vector<std::int64_t>{i % 2 ? 1 : 2});
  }
}

TEST(LiveFeed, AWaitThatEndsEmptyCarriesThePlaceReadPast) {
  Rows rows;
  Answers answers;
  LiveFeed feed(rows.read(), quick());
  rows.add(5, "lzq");
  rows.add(6, "lzq");
  ASSERT_TRUE(feed.wait(4, {"dlys"}, Clock::now() + 300ms, answers.to("dlys")));
  ASSERT_TRUE(answers.wait_for(1));
  const auto got = answers.of("dlys");
  EXPECT_TRUE(got.ids.empty());
  EXPECT_EQ(got.last, 6) << "#5 and #6 were read and are not dlys's: the place moves past them";
  EXPECT_EQ(got.times, 1);
}

TEST(LiveFeed, AnAnswerMovesThePlaceToTheEndOfWhatWasRead) {
  Rows rows;
  rows.add(1, "dlys");
  rows.add(2, "lzq");
  rows.add(3, "lzq");
  Answers answers;
  LiveFeed feed(rows.read(), quick());
  ASSERT_TRUE(feed.wait(0, {"dlys"}, Clock::now() + 5s, answers.to("dlys")));
  ASSERT_TRUE(answers.wait_for(1));
  EXPECT_EQ(answers.of("dlys").ids, std::vector<std::int64_t>{1});
  EXPECT_EQ(answers.of("dlys").last, 3) << "#2 and #3 were read and are not dlys's";
  EXPECT_EQ(feed.frontier(), 3);
}

TEST(LiveFeed, APlaceIsNearOnlyAFrontierLearntWithinTwoPolls) {
  Rows rows;
  LiveFeed feed(rows.read(), quick());  // batch 1000, poll 20 ms
  EXPECT_FALSE(feed.near(0)) << "nothing learnt yet";
  feed.saw(5000);
  EXPECT_TRUE(feed.near(4800));
  EXPECT_TRUE(feed.near(5300)) << "a place past the frontier needs no read back";
  EXPECT_FALSE(feed.near(4000)) << "too far behind: the waiter's own read first";
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(feed.near(5000)) << "nobody waits, the feed does not read: the frontier is stale";
}

TEST(LiveFeed, ReadsGoOnAWhileAfterTheLastWaitSoAClientComingBackIsNear) {
  Rows rows;
  rows.add(1, "dlys");
  Answers answers;
  LiveFeed feed(rows.read(), quick());
  ASSERT_TRUE(feed.wait(0, {}, Clock::now() + 5s, answers.to("a")));
  ASSERT_TRUE(answers.wait_for(1));
  rows.add(2, "lzq");
  // Nobody waits now; 100 ms later (the client's retry) the frontier is still being read.
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(feed.frontier(), 2);
  EXPECT_TRUE(feed.near(answers.of("a").last));
  // Past keep_reading (200 ms) the feed stops reading and its frontier is no longer trusted.
  std::this_thread::sleep_for(300ms);
  const auto reads = feed.reads();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(feed.reads(), reads);
  EXPECT_FALSE(feed.near(2));
}

TEST(LiveFeed, AWaiterThatComesDuringAReadFromAnEarlierPlaceLosesNothing) {
  Rows rows;
  Answers answers;
  std::mutex gate;
  std::unique_lock held(gate);  // the first read waits here until b has come
  std::atomic<int> reads{0};
  rows.before_read = [&] {
    if (reads++ == 0) {
      const std::lock_guard pass(gate);
    }
  };
  LiveFeed feed(rows.read(), quick());
  ASSERT_TRUE(feed.wait(100, {}, Clock::now() + 5s, answers.to("a")));
  while (reads == 0) std::this_thread::sleep_for(1ms);
  // The feed now reads from 100. b comes from 90; #95 is b's, and the read in flight misses it.
  ASSERT_TRUE(feed.wait(90, {}, Clock::now() + 5s, answers.to("b")));
  rows.add(95, "dlys");
  rows.add(101, "dlys");
  held.unlock();
  ASSERT_TRUE(answers.wait_for(2));
  EXPECT_EQ(answers.of("a").ids, std::vector<std::int64_t>{101});
  EXPECT_EQ(answers.of("b").ids, (std::vector<std::int64_t>{95, 101}));
}

TEST(LiveFeed, AnAnswerHoldsAtMostMaxAnswerEventsAndTheRestComeNext) {
  Rows rows;
  for (int i = 1; i <= 30; ++i) rows.add(i, "dlys");
  Answers answers;
  auto options = quick();
  options.max_answer = 12;
  LiveFeed feed(rows.read(), options);
  ASSERT_TRUE(feed.wait(0, {}, Clock::now() + 5s, answers.to("first")));
  ASSERT_TRUE(answers.wait_for(1));
  EXPECT_EQ(answers.of("first").ids.size(), 12U);
  EXPECT_EQ(answers.of("first").last, 12);
  ASSERT_TRUE(feed.wait(12, {}, Clock::now() + 5s, answers.to("next")));
  ASSERT_TRUE(answers.wait_for(2));
  EXPECT_EQ(answers.of("next").ids.front(), 13);
}

TEST(LiveFeed, WaitersOutlastAFailingReadAndHearOnceItWorks) {
  Rows rows;
  rows.broken = true;
  Answers answers;
  LiveFeed feed(rows.read(), quick());
  ASSERT_TRUE(feed.wait(0, {}, Clock::now() + 10s, answers.to("a")));
  rows.add(1, "dlys");
  while (feed.reads() < 5) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(feed.waiting(), 1U) << "a failed read answers nobody";
  rows.broken = false;
  ASSERT_TRUE(answers.wait_for(1));
  EXPECT_EQ(answers.of("a").ids, std::vector<std::int64_t>{1});
}

TEST(LiveFeed, StopAnswersEveryWaiterOnceAndRefusesLaterWaits) {
  Rows rows;
  Answers answers;
  auto options = quick();
  options.max_waiting = 3;
  LiveFeed feed(rows.read(), options);
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(feed.wait(7, {}, Clock::now() + 60s, answers.to(name)));
  }
  EXPECT_FALSE(feed.wait(7, {}, Clock::now() + 60s, answers.to("d"))) << "max_waiting is 3";
  feed.stop();
  ASSERT_TRUE(answers.wait_for(3, 0ms)) << "stop() answers before it returns";
  for (const char* name : {"a", "b", "c"}) {
    EXPECT_EQ(answers.of(name).times, 1);
    EXPECT_EQ(answers.of(name).last, 7);
  }
  EXPECT_FALSE(feed.wait(7, {}, Clock::now() + 60s, answers.to("e")));
  feed.stop();
  EXPECT_EQ(answers.of("d").times + answers.of("e").times, 0);
}

}  // namespace
}  // namespace appealhub::gateway
