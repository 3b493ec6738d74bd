#include "store/sqlite/checkpointer.h"

#include <sqlite3.h>

#include "base/log.h"

namespace roost::store::sqlite {

Checkpointer::Checkpointer(Connection& writer, std::unique_ptr<Connection> checkpointer,
                           int threshold_pages)
    : writer_(writer), db_(std::move(checkpointer)), threshold_(threshold_pages),
      thread_([this] { run(); }) {
  // Replaces SQLite's own hook (wal_autocheckpoint): commits only note that work is due.
  sqlite3_wal_hook(writer_.raw(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.raw(), nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (wal_pages < c->threshold_) return SQLITE_OK;
  if (wal_pages >= kInlineFactor * c->threshold_) {
    // Writes outpace the thread (it never catches up while commits keep coming, so the WAL
    // never starts over): this commit checkpoints itself, as SQLite's own hook would have.
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(c->mu_);
    c->due_ = true;
  }
  c->cv_.notify_one();
  return SQLITE_OK;
}

uint64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void Checkpointer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    int wal_pages = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages,
                                       &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::warn("store.checkpoint_failed", {{"error", sqlite3_errstr(rc)}});
    }
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace roost::store::sqlite
