// MessageSpool: the bytes of the message a session is receiving (DATA or BDAT), kept in memory
// up to a bound and spilled to a private file under <data_dir>/smtp-spool beyond it, so a large
// message never sits whole in memory. It exists because headers must be prepended after the
// whole message was read (Received:, and the verdict headers of the InboundCheck seam, which
// needs the whole message for DKIM), while Ingest only takes bytes in order.
// append() never blocks; spill(), for_each_chunk() and the destructor touch the file system:
// call them on a worker thread (the destructor only when a file exists: has_file()).
// Not thread-safe: one spool per session, used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/result.h"

namespace roost::smtp {

class MessageSpool {
 public:
  // `path`: the spill file to create when needed (unique per session); memory_limit: bytes kept
  // before spill() is wanted.
  MessageSpool(std::string path, size_t memory_limit, Env& env = Env::real());
  ~MessageSpool();
  MessageSpool(const MessageSpool&) = delete;
  MessageSpool& operator=(const MessageSpool&) = delete;

  void append(std::string_view bytes);
  bool wants_spill() const { return memory_.size() >= memory_limit_; }
  Status spill();  // writes the memory part to the file (creating it)
  uint64_t size() const { return size_; }
  // The first bytes of the message (at least the first 64 KiB when there are that many): the
  // header section for the submission checks.
  std::string_view head() const { return head_; }
  // Calls fn with the whole message in order (mapped file part, then memory part).
  Status for_each_chunk(const std::function<Status(std::string_view)>& fn) const;
  bool has_file() const { return file_ != nullptr || created_; }
  void clear();  // forgets the message and removes the file (blocking when has_file())

  static constexpr size_t kHeadBytes = 64 * 1024;

 private:
  std::string path_;
  size_t memory_limit_;
  Env& env_;
  std::unique_ptr<WritableFile> file_;
  bool created_ = false;
  std::string memory_;
  std::string head_;
  uint64_t size_ = 0;
};

}  // namespace roost::smtp
