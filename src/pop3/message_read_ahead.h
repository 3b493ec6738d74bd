// MessageReadAhead: the bytes of the next few small messages of the maildrop, read in the same
// blocking call as the one RETR asked for. Clients retrieve in order, so most RETRs then find
// their message in memory and need no trip to the blocking pool (one thread hop per several
// messages, not one per message). Bounded: at most kMessages messages under kSmallBytes each and
// kBytes in all. Not thread-safe: owned by one session, used by the session's coroutine and the
// blocking calls it awaits.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <vector>

#include "base/env.h"
#include "base/result.h"
#include "mailbox/pop3_maildrop.h"
#include "store/blob_store.h"

namespace roost::pop3 {

class MessageReadAhead {
 public:
  static constexpr size_t kMessages = 16;
  static constexpr size_t kSmallBytes = 128 * 1024;  // larger messages are streamed, not cached
  static constexpr size_t kBytes = 1 << 20;

  // The cached bytes of message `index` (and forgets it and everything before it); nullptr when
  // it was not read ahead.
  std::shared_ptr<const MappedFile> take(size_t index);

  // Blocking: the bytes of message `index`, caching the small messages after it that are not in
  // `skip` (deleted ones). A failure to read one of those only leaves it out of the cache.
  Result<std::shared_ptr<const MappedFile>> read(store::BlobStore& blobs,
                                                 const mailbox::Pop3Maildrop& maildrop,
                                                 const std::vector<bool>& skip, size_t index);

  size_t cached() const { return cached_.size(); }

 private:
  std::map<size_t, std::shared_ptr<const MappedFile>> cached_;
};

}  // namespace roost::pop3
