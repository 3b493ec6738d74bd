#include "runtime.h"

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <fstream>
#include <iostream>
#include <thread>

namespace roost::bench {

Task<void> sleep_for(SteadyClock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Runtime::Runtime(unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
}

Runtime::~Runtime() {
  // Pending coroutine frames (clients still blocked at a hard stop) are destroyed here,
  // after every thread has stopped.
  contexts_.clear();
}

void Runtime::spawn(size_t i, Task<void> task) {
  ++active_;
  asio::co_spawn(context(i), std::move(task), [this](std::exception_ptr e) {
    if (e) {
      ++task_errors_;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::lock_guard lock(mutex_);
        std::string what = ex.what();
        if (reported_.size() < 20 &&
            std::find(reported_.begin(), reported_.end(), what) == reported_.end()) {
          reported_.push_back(what);
          std::cerr << "roost-bench: task failed: " << what << "\n";
        }
      }
    }
    task_finished();
  });
}

void Runtime::task_finished() {
  if (--active_ == 0) stop();
}

void Runtime::stop() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
  for (auto& c : contexts_) c->stop();
}

bool Runtime::run(double hard_limit_seconds) {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : contexts_) guards.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (auto& c : contexts_) threads.emplace_back([&c] { c->run(); });
  bool in_time;
  {
    std::unique_lock lock(mutex_);
    in_time = done_cv_.wait_for(lock, std::chrono::duration<double>(hard_limit_seconds),
                                [this] { return done_; });
  }
  if (!in_time) {
    std::cerr << "roost-bench: hard time limit of " << hard_limit_seconds
              << " s reached; stopping\n";
  }
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads) t.join();
  return in_time;
}

uint64_t raise_fd_limit(uint64_t wanted) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max < wanted) {
    uint64_t nr_open = wanted;
    std::ifstream f("/proc/sys/fs/nr_open");
    f >> nr_open;
    rlimit more{std::min<uint64_t>(wanted, nr_open), std::min<uint64_t>(wanted, nr_open)};
    if (setrlimit(RLIMIT_NOFILE, &more) == 0) lim = more;
  }
  if (lim.rlim_cur < std::min<uint64_t>(wanted, lim.rlim_max)) {
    lim.rlim_cur = std::min<uint64_t>(wanted, lim.rlim_max);
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

}  // namespace roost::bench
