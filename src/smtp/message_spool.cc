#include "smtp/message_spool.h"

namespace roost::smtp {

MessageSpool::MessageSpool(std::string path, size_t memory_limit, Env& env)
    : path_(std::move(path)), memory_limit_(memory_limit), env_(env) {}

MessageSpool::~MessageSpool() { clear(); }

void MessageSpool::append(std::string_view bytes) {
  if (head_.size() < kHeadBytes) {
    head_.append(bytes.substr(0, kHeadBytes - head_.size()));
  }
  memory_.append(bytes);
  size_ += bytes.size();
}

Status MessageSpool::spill() {
  if (!file_) {
    auto file = env_.create_file(path_);
    if (!file) return file.error();
    file_ = std::move(*file);
    created_ = true;
  }
  // Not synced: the spool is scratch space; durability comes from Ingest.
  Status st = file_->append(memory_);
  // The buffer fills up to the limit again before the next spill: keep it (and its pages)
  // for the rest of this message instead of growing it from nothing, copy by copy, each time.
  // clear() gives it back.
  memory_.clear();
  memory_.reserve(memory_limit_);
  return st;
}

Status MessageSpool::for_each_chunk(const std::function<Status(std::string_view)>& fn) const {
  if (created_) {
    if (file_) {
      if (Status st = file_->close(); !st) return st;
    }
    auto mapped = env_.map_file(path_);
    if (!mapped) return mapped.error();
    std::string_view bytes = (*mapped)->bytes();
    constexpr size_t kChunk = 1 << 20;
    for (size_t at = 0; at < bytes.size(); at += kChunk) {
      if (Status st = fn(bytes.substr(at, kChunk)); !st) return st;
      (*mapped)->release(at, std::min(kChunk, bytes.size() - at));
    }
  }
  if (!memory_.empty()) return fn(memory_);
  return ok();
}

void MessageSpool::clear() {
  if (file_) {
    (void)file_->close();
    file_.reset();
  }
  if (created_) {
    (void)env_.remove(path_);
    created_ = false;
  }
  memory_.clear();
  memory_.shrink_to_fit();
  head_.clear();
  head_.shrink_to_fit();
  size_ = 0;
}

}  // namespace roost::smtp
