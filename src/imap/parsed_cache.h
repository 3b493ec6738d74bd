// ParsedCache: decoded mime::ParsedMessage structures shared by every session, by blob id. A
// blob's bytes never change (the id is their hash), so neither does its parsed structure: an
// entry never goes stale, it only goes when the cache is over its budget (least recently used
// first). SEARCH FROM/SUBJECT/BODY and FETCH ENVELOPE/BODYSTRUCTURE of a mailbox a client looks
// at again then cost neither an index lookup by blob id nor a decode per message (those were a
// fifth of the server's CPU in the imap-mixed benchmark). Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "mime/message.h"

namespace roost::imap {

class ParsedCache {
 public:
  // `budget`: bytes of serialized structure the entries may hold together (a decoded one takes
  // about twice its serialized size).
  explicit ParsedCache(size_t budget) : budget_(budget) {}

  std::shared_ptr<const mime::ParsedMessage> find(const std::string& blob_id);
  // Keeps `parsed` (whose serialized form took `size` bytes) unless it alone exceeds the budget.
  void add(const std::string& blob_id, std::shared_ptr<const mime::ParsedMessage> parsed,
           size_t size);
  size_t size() const;  // bytes held (tests)

 private:
  struct Entry {
    std::string id;
    std::shared_ptr<const mime::ParsedMessage> parsed;
    size_t size;
  };
  using Order = std::list<Entry>;  // most recently used first

  const size_t budget_;
  mutable std::mutex mu_;
  Order order_;
  std::unordered_map<std::string, Order::iterator> index_;
  size_t held_ = 0;
};

}  // namespace roost::imap
