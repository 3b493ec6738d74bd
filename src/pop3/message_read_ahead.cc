#include "pop3/message_read_ahead.h"

#include <string>
#include <vector>

namespace roost::pop3 {

std::shared_ptr<const MappedFile> MessageReadAhead::take(size_t index) {
  auto it = cached_.find(index);
  std::shared_ptr<const MappedFile> file;
  if (it != cached_.end()) file = std::move(it->second);
  cached_.erase(cached_.begin(), cached_.upper_bound(index));
  return file;
}

Result<std::shared_ptr<const MappedFile>> MessageReadAhead::read(
    store::BlobStore& blobs, const mailbox::Pop3Maildrop& maildrop, const std::vector<bool>& skip,
    size_t index) {
  // The message asked for and the small ones after it, in one read of the store (one index
  // transaction for all those kept in the index).
  std::vector<size_t> which{index};
  std::vector<std::string> ids{maildrop.messages[index].blob.id};
  size_t bytes = 0;
  for (size_t next = index + 1; next < maildrop.messages.size() && which.size() <= kMessages;
       ++next) {
    if (next < skip.size() && skip[next]) continue;
    uint64_t size = maildrop.messages[next].blob.size;
    if (size >= kSmallBytes || bytes + size > kBytes) break;
    bytes += size;
    which.push_back(next);
    ids.push_back(maildrop.messages[next].blob.id);
  }
  auto read = blobs.read_many(ids);
  if (!read.front()) return read.front().error();
  cached_.clear();
  for (size_t k = 1; k < which.size(); ++k) {
    if (!read[k]) break;  // RETR of that message reads it again and reports the error
    cached_.emplace(which[k], std::move(*read[k]));
  }
  return std::move(*read.front());
}

}  // namespace roost::pop3
