#pragma once
// Identical reads asked at the same time share one run. A caller that finds a run for its key
// under way waits for the next run, which starts when that one ends and answers every caller
// that came meanwhile. So every answer comes from a run that started after its caller asked:
// sharing never serves anything older than running alone would
// (docs/decisions/0025-shared-reads.md).

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

  // run()'s answer for `key`, from a run that started after this call did. When a shared run
  // fails, each of its waiting callers runs on its own (their errors are their own).
  Answer get(const std::string& key, const std::function<Answer()>& run);

  struct Counts {
    std::uint64_t runs = 0;    // run() called
    std::uint64_t shared = 0;  // callers answered by a run they shared with others
  };
  Counts counts() const;

 private:
  struct Round;
  struct Slot;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots_;
  Counts counts_;
};

}  // namespace appealhub::gateway
