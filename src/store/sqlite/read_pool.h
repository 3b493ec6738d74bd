// ReadPool: query-only connections to the index. WAL lets them read a consistent
// snapshot while the writer commits, so a slow write never blocks a reader.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"

namespace roost::store::sqlite {

class ReadPool {
 public:
  ReadPool(std::string path, size_t max_connections);

  // A borrowed connection, returned to the pool when the lease dies.
  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<Connection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> acquire();  // opens a new connection or waits for a free one
  // acquire() without the wait: nullopt when every connection is leased. For work that helps a
  // caller already holding a lease (waiting there could wait on that caller).
  std::optional<Lease> try_acquire();

 private:
  Result<Lease> open_reserved();  // opens the connection of a slot already counted in open_
  void release(std::unique_ptr<Connection> conn);

  std::string path_;
  size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
};

}  // namespace roost::store::sqlite
