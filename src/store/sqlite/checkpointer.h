// Checkpointer: copies the WAL back into the database file on its own thread and connection.
// SQLite's automatic checkpoint runs inside the COMMIT that crosses its limit, so one write in
// a thousand pages waited for a thousand page writes and a database fsync; here no commit waits
// for it. PASSIVE checkpoints never block readers or the writer; SQLite starts the WAL over
// once a checkpoint has caught up and no reader still uses the old frames. Under a sustained
// stream of commits the thread never catches up, so past four times the limit the committing
// writer checkpoints inline again, which bounds the WAL.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/connection.h"

namespace roost::store::sqlite {

class Checkpointer {
 public:
  // `writer`: the connection whose commits are watched (its WAL hook is replaced);
  // `checkpointer`: a second connection to the same database, used only by the thread.
  Checkpointer(Connection& writer, std::unique_ptr<Connection> checkpointer, int threshold_pages);
  ~Checkpointer();  // stops the thread (closing the last connection checkpoints anyway)
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  uint64_t checkpoints() const;  // checkpoints run so far (tests)

 private:
  // At this many times the threshold the committing writer checkpoints itself.
  static constexpr int kInlineFactor = 4;

  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  Connection& writer_;
  std::unique_ptr<Connection> db_;
  const int threshold_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;
  bool stopping_ = false;
  uint64_t checkpoints_ = 0;
  std::thread thread_;  // last: starts after everything above is initialized
};

}  // namespace roost::store::sqlite
