#include "imap/parsed_cache.h"

namespace roost::imap {

std::shared_ptr<const mime::ParsedMessage> ParsedCache::find(const std::string& blob_id) {
  std::lock_guard lock(mu_);
  auto it = index_.find(blob_id);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->parsed;
}

void ParsedCache::add(const std::string& blob_id,
                      std::shared_ptr<const mime::ParsedMessage> parsed, size_t size) {
  if (size > budget_) return;
  std::lock_guard lock(mu_);
  if (index_.contains(blob_id)) return;
  order_.push_front(Entry{blob_id, std::move(parsed), size});
  index_.emplace(blob_id, order_.begin());
  held_ += size;
  while (held_ > budget_) {
    held_ -= order_.back().size;
    index_.erase(order_.back().id);
    order_.pop_back();
  }
}

size_t ParsedCache::size() const {
  std::lock_guard lock(mu_);
  return held_;
}

}  // namespace roost::imap
