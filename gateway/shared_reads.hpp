#pragma once
// Identical reads asked at the same time share one run. A caller that finds a run for its key
// under way waits for the next run, which starts when that one ends and answers every caller
// that came meanwhile. So every answer comes from a run that started after its caller asked:
// sharing never serves anything older than running alone would
// (docs/decisions/0025-shared-reads.md).
//
// Waiting holds no thread: a waiting caller leaves a callback, and the thread that ran the key's
// last run runs the next one for it (decision 0026). A worker thread is then free for the next
// request, so as many callers can share a run as come while it is under way.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace appealhub::gateway {

class SharedReads {
 public:
  using Answer = std::shared_ptr<const std::string>;
  // Takes a caller's answer; nullptr when the run it waited for failed (the caller then runs on
  // its own: its error is its own). Called once, on the running thread, outside any lock.
  using Take = std::function<void(Answer)>;

  // When no run for `key` is under way: runs `run` on this thread and gives its answer to `mine`
  // before anything else; then, while callers came during the last run, runs again for them
  // (with this `run`: a key names everything its answer depends on) and returns when nobody
  // waits. When run throws: the callers waiting for that run get nullptr, and get rethrows
  // (before `mine` got anything if it was the first run).
  // When a run for `key` is under way: `mine` waits for the next run, and get returns at once.
  void get(const std::string& key, const std::function<Answer()>& run, Take mine);

  struct Counts {
    std::uint64_t runs = 0;    // run() called
    std::uint64_t shared = 0;  // callers answered by a run they shared with others
  };
  Counts counts() const;

 private:
  struct Slot;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots_;
  Counts counts_;
};

}  // namespace appealhub::gateway
