#include "store/sqlite/write_queue.h"

#include <exception>

namespace roost::store::sqlite {

WriteQueue::WriteQueue(std::unique_ptr<Connection> db, AfterCommit after_commit)
    : db_(std::move(db)), after_commit_(std::move(after_commit)) {}

WriteQueue::~WriteQueue() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  done_cv_.wait(lock, [&] { return !busy_ && queue_.empty(); });
}

Status WriteQueue::submit(Body body) {
  Request request;
  request.body = std::move(body);
  std::unique_lock lock(mu_);
  if (stopping_) return make_error(ErrorKind::Temporary, "store is shutting down");
  queue_.push_back(&request);
  std::vector<Request*> batch;
  while (!request.done) {
    if (busy_) {
      done_cv_.wait(lock);
      continue;
    }
    // Lead: this request and everything queued since the last batch began.
    busy_ = true;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    try {
      execute(batch);
    } catch (const std::exception& e) {
      // after_commit (blob removal, event subscribers) threw. The writer must stay usable for
      // the waiting callers; these are told their write failed (it may have committed: a
      // retry may duplicate, nothing is lost).
      Error failed = make_error(ErrorKind::Internal, "write failed", e.what());
      for (Request* r : batch) r->result = failed;
    }
    lock.lock();
    stats_.requests += batch.size();
    for (Request* r : batch) r->done = true;
    batch.clear();
    busy_ = false;
    done_cv_.notify_all();  // the answered return; one of the rest leads the next batch
  }
  return request.result;
}

WriteStats WriteQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Status WriteQueue::run_one(Request& request, WriteEffects& merged) {
  ROOST_TRY(db_->exec_prepared("SAVEPOINT request"));
  WriteTxn txn{*db_, {}};
  Status st;
  try {
    st = request.body(txn);
  } catch (const std::exception& e) {
    st = make_error(ErrorKind::Internal, "write failed", e.what());
  }
  if (!st) {
    // Undo only this request; the rest of the batch goes on.
    Status undo = db_->exec_prepared("ROLLBACK TO request");
    if (undo) undo = db_->exec_prepared("RELEASE request");
    if (!undo) return undo;  // the transaction is unusable: fail the whole batch
    request.result = st;
    return ok();
  }
  ROOST_TRY(db_->exec_prepared("RELEASE request"));
  for (auto& e : txn.effects.events) merged.events.push_back(e);
  for (auto& b : txn.effects.freed_blobs) merged.freed_blobs.push_back(std::move(b));
  request.result = ok();
  return ok();
}

void WriteQueue::execute(std::vector<Request*>& batch) {
  WriteEffects merged;
  Status st = db_->exec_prepared("BEGIN IMMEDIATE");
  for (size_t i = 0; st && i < batch.size(); ++i) st = run_one(*batch[i], merged);
  if (st) st = db_->exec_prepared("COMMIT");
  if (!st) {
    (void)db_->exec("ROLLBACK");
    for (Request* r : batch) r->result = st;
  } else {
    // Files and events only after the commit made the batch durable.
    after_commit_(*db_, merged);
  }
  std::lock_guard lock(mu_);
  if (st) ++stats_.commits;
  if (batch.size() > stats_.max_batch) stats_.max_batch = batch.size();
}

}  // namespace roost::store::sqlite
