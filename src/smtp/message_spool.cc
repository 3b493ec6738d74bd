#include "smtp/message_spool.h"

#include <algorithm>

namespace roost::smtp {

namespace {
constexpr size_t kFirstBlock = 16 * 1024;
constexpr size_t kLargestBlock = 1024 * 1024;
}  // namespace

bool SpoolMemory::take(uint64_t bytes) {
  uint64_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used + bytes > limit_) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

MessageSpool::MessageSpool(std::string path, size_t memory_limit, SpoolMemory* shared, Env& env)
    : path_(std::move(path)),
      memory_limit_(memory_limit),
      file_chunk_(std::max<size_t>(1, std::min(memory_limit, kFileChunk))),
      shared_(shared),
      env_(env) {}

MessageSpool::~MessageSpool() { clear(); }

void MessageSpool::append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (head_.size() < kHeadBytes) {
    head_.append(bytes.substr(0, kHeadBytes - head_.size()));
  }
  size_ += bytes.size();
  if (!to_file_) {
    bool fits = memory_bytes_ + bytes.size() <= memory_limit_ &&
                (shared_ == nullptr || shared_->take(bytes.size()));
    if (fits) {
      taken_ += shared_ ? bytes.size() : 0;
    } else {
      to_file_ = true;  // what memory holds goes to the file at the next spill()
    }
  }
  memory_bytes_ += bytes.size();
  while (!bytes.empty()) {
    if (blocks_.empty() || blocks_.back().size() == blocks_.back().capacity()) {
      size_t want = std::clamp<uint64_t>(memory_bytes_ - bytes.size(), kFirstBlock, kLargestBlock);
      blocks_.emplace_back();
      blocks_.back().reserve(std::max(want, to_file_ ? file_chunk_ : size_t{0}));
    }
    std::string& block = blocks_.back();
    size_t n = std::min(bytes.size(), block.capacity() - block.size());
    block.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
}

Status MessageSpool::spill() {
  if (!file_) {
    auto file = env_.create_file(path_);
    if (!file) return file.error();
    file_ = std::move(*file);
    created_ = true;
  }
  to_file_ = true;
  // Not synced: the spool is scratch space; durability comes from Ingest.
  Status st = ok();
  for (const std::string& block : blocks_) {
    if (st) st = file_->append(block);
  }
  // Keep one block (and its pages) for the rest of this message instead of allocating a new
  // one for every chunk; clear() gives it back.
  if (!blocks_.empty()) {
    std::string keep = std::move(blocks_.back());
    keep.clear();
    blocks_.clear();
    if (keep.capacity() >= file_chunk_) blocks_.push_back(std::move(keep));
  }
  memory_bytes_ = 0;
  give_back_memory();
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
  for (const std::string& block : blocks_) {
    if (block.empty()) continue;
    if (Status st = fn(block); !st) return st;
  }
  return ok();
}

void MessageSpool::give_back_memory() {
  if (shared_ && taken_ > 0) shared_->give_back(taken_);
  taken_ = 0;
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
  blocks_.clear();
  blocks_.shrink_to_fit();
  memory_bytes_ = 0;
  give_back_memory();
  to_file_ = false;
  head_.clear();
  head_.shrink_to_fit();
  size_ = 0;
}

}  // namespace roost::smtp
