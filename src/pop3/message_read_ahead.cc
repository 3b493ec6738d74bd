#include "pop3/message_read_ahead.h"

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
  auto file = blobs.read(maildrop.messages[index].blob.id);
  if (!file) return file.error();
  cached_.clear();
  size_t bytes = 0;
  for (size_t next = index + 1; next < maildrop.messages.size() && cached_.size() < kMessages;
       ++next) {
    if (next < skip.size() && skip[next]) continue;
    uint64_t size = maildrop.messages[next].blob.size;
    if (size >= kSmallBytes || bytes + size > kBytes) break;
    auto ahead = blobs.read(maildrop.messages[next].blob.id);
    if (!ahead) break;  // RETR of that message reads it again and reports the error
    bytes += size;
    cached_.emplace(next, std::move(*ahead));
  }
  return file;
}

}  // namespace roost::pop3
