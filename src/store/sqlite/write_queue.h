// WriteQueue: the single writer of the SQLite store, with group commit.
// Every request waiting when the writer becomes free joins one transaction; each runs
// inside its own SAVEPOINT so a failing request rolls back alone. One COMMIT (one WAL
// fsync) then answers them all, after `after_commit` has run (blob removal, events).
// There is no writer thread: the caller that finds the writer free runs the batch (its own
// request and whatever queued meanwhile) on its own thread, one batch at a time; the others
// wait, and when a batch ends one of those still waiting leads the next. A lone write so never
// waits for another thread to wake up twice (there and back).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/types.h"

namespace roost::store::sqlite {

// What a successful request leaves to do after the commit.
struct WriteEffects {
  std::vector<MailboxEvent> events;
  std::vector<std::string> freed_blobs;  // refcount reached 0 in this transaction
};

struct WriteTxn {
  Connection& db;
  WriteEffects effects;
};

struct WriteStats {
  uint64_t requests = 0;   // requests executed
  uint64_t commits = 0;    // transactions committed (one fsync each when durable)
  uint64_t max_batch = 0;  // most requests merged into one commit
};

class WriteQueue {
 public:
  using Body = std::function<Status(WriteTxn&)>;
  using AfterCommit = std::function<void(Connection&, WriteEffects&)>;

  WriteQueue(std::unique_ptr<Connection> db, AfterCommit after_commit);
  ~WriteQueue();  // waits for the batch in progress; later submits fail
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Runs `body` as the writer (on this thread or a concurrent caller's); returns once its
  // transaction committed (or failed).
  Status submit(Body body);
  WriteStats stats() const;

 private:
  struct Request {
    Body body;
    Status result;
    bool done = false;
  };
  void execute(std::vector<Request*>& batch);
  Status run_one(Request& request, WriteEffects& merged);

  static constexpr size_t kMaxBatch = 1024;

  std::unique_ptr<Connection> db_;
  AfterCommit after_commit_;
  mutable std::mutex mu_;
  std::condition_variable done_cv_;  // a batch ended
  std::deque<Request*> queue_;
  bool busy_ = false;  // a caller is running a batch
  bool stopping_ = false;
  WriteStats stats_;
};

}  // namespace roost::store::sqlite
