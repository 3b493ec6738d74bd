#include "net/blocking_executor.h"

#include <algorithm>
#include <thread>

namespace roost::net {
namespace {

size_t pick_threads(size_t threads) {
  if (threads > 0) return threads;
  size_t hw = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp<size_t>(2 * hw, 4, 16);
}

}  // namespace

BlockingExecutor::BlockingExecutor(size_t threads)
    : threads_(pick_threads(threads)), pool_(threads_) {}

BlockingExecutor::~BlockingExecutor() { pool_.join(); }

}  // namespace roost::net
