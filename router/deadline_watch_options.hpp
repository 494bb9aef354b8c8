#pragma once
// The deadline watch's options (router/deadline_watch.hpp), with their one set of defaults. Plain
// data on the standard library alone: config/ reads the "watch" section straight into it.

#include <chrono>

namespace appealhub::router {

struct DeadlineWatchOptions {
  int due_soon_working_days = 1;
  int public_note_working_days = 5;
  std::chrono::milliseconds interval{60000};
};

}  // namespace appealhub::router
