#include "sim/hotline/hotline_sim.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "sim/hotline/hotline_platform.hpp"

namespace appealhub::sim::hotline {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
  g_stop = true;
}

}  // namespace

int run(const HotlineCommand& command) {
  const auto& [options, rate, count, file_interval, poll, duration, once] = command;
  try {
    HotlinePlatform platform(options);
    const auto report = [&](const std::vector<std::string>& files, const char* what) {
      for (const auto& f : files) std::cerr << "hotline sim: " << what << " " << f << "\n";
    };
    if (once) {
      report(platform.export_rows(count), "wrote");
      report(platform.finish(), "wrote");
      report(platform.process_imports(), "answered with");
      platform.save_ledger();
      return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto last_file = start, last_save = start, last_poll = start - poll;
    std::uint64_t issued = 0;
    bool dirty = false;
    while (!g_stop.load()) {
      const auto now = Clock::now();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      if (duration > 0 && elapsed >= duration) break;
      auto due = static_cast<std::uint64_t>(elapsed * rate);
      if (count > 0) due = std::min(due, count);
      const std::uint64_t waiting = due > issued ? due - issued : 0;
      if (waiting >= options.rows_per_file || (waiting > 0 && now - last_file >= file_interval)) {
        const auto n = std::min<std::uint64_t>(waiting, options.rows_per_file);
        report(platform.export_rows(n), "wrote");
        issued += n;
        last_file = now;
        dirty = true;
      }
      if (now - last_poll >= poll) {
        const auto receipts = platform.process_imports();
        report(receipts, "answered with");
        dirty = dirty || !receipts.empty();
        last_poll = now;
      }
      // The ledger is rewritten whole: at most once a second while running.
      if (dirty && now - last_save >= std::chrono::seconds(1)) {
        platform.save_ledger();
        last_save = now;
        dirty = false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    report(platform.finish(), "wrote");
    platform.save_ledger();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "appealhub-sim hotline: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace appealhub::sim::hotline
