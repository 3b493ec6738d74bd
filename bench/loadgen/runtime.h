// Runtime: the io_context threads of one run and its hard time limit. Each client is pinned to
// one context (no strands needed); the run ends when every spawned task has finished, when
// stop() is called, or at the hard limit, whichever comes first.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common.h"

namespace roost::bench {

class Runtime {
 public:
  explicit Runtime(unsigned threads);
  ~Runtime();

  size_t size() const { return contexts_.size(); }
  asio::io_context& context(size_t i) { return *contexts_[i % contexts_.size()]; }

  // Starts `task` on context i. An exception that escapes it is counted (task_errors()) and
  // printed once per distinct message; it never ends the run.
  void spawn(size_t i, Task<void> task);

  // Runs until all spawned tasks end, stop() is called, or `hard_limit_seconds` pass.
  // Returns false when the hard limit stopped the run.
  bool run(double hard_limit_seconds);
  void stop();  // any thread

  uint64_t task_errors() const { return task_errors_; }

 private:
  void task_finished();

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::atomic<uint64_t> active_{0};
  std::atomic<uint64_t> task_errors_{0};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::vector<std::string> reported_;
};

// Raises RLIMIT_NOFILE as far as allowed (root may raise the hard limit up to nr_open).
// Returns the soft limit now in force.
uint64_t raise_fd_limit(uint64_t wanted);

}  // namespace roost::bench
