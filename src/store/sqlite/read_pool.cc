#include "store/sqlite/read_pool.h"

#include "store/sqlite/schema.h"

namespace roost::store::sqlite {

ReadPool::ReadPool(std::string path, size_t max_connections)
    : path_(std::move(path)), max_(max_connections) {}

ReadPool::Lease::~Lease() {
  if (conn_) pool_->release(std::move(conn_));
}

Result<ReadPool::Lease> ReadPool::acquire() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++open_;  // reserve a slot; opening happens outside the lock
  }
  return open_reserved();
}

std::optional<ReadPool::Lease> ReadPool::try_acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    if (open_ >= max_) return std::nullopt;
    ++open_;
  }
  auto lease = open_reserved();
  if (!lease) return std::nullopt;
  return std::move(*lease);
}

Result<ReadPool::Lease> ReadPool::open_reserved() {
  auto conn = Connection::open(path_, false);
  Status st = conn ? prepare_reader(**conn) : Status(conn.error());
  if (!st) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    return st.error();
  }
  return Lease(*this, std::move(*conn));
}

void ReadPool::release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace roost::store::sqlite
