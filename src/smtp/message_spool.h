// MessageSpool: the bytes of the message a session is receiving (DATA or BDAT), kept in memory
// while the message is small enough and the server-wide SpoolMemory budget has room, and
// spilled to a private file under <data_dir>/smtp-spool otherwise, so a large message (or many
// at once) never sits whole in memory. It exists because headers must be prepended after the
// whole message was read (Received:, and the verdict headers of the InboundCheck seam, which
// needs the whole message for DKIM), while Ingest only takes bytes in order.
// append() never blocks; spill(), for_each_chunk() and the destructor touch the file system:
// call them on a worker thread (the destructor only when a file exists: has_file()).
// Not thread-safe: one spool per session, used by one thread at a time (SpoolMemory is).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/result.h"

namespace roost::smtp {

// Message bytes all sessions together may hold in memory. A message that would take the total
// past the limit goes to a spool file instead (for the rest of its life), so the limit bounds
// memory while the common case (small and medium messages) never touches the file system.
class SpoolMemory {
 public:
  explicit SpoolMemory(uint64_t limit) : limit_(limit) {}
  bool take(uint64_t bytes);  // false (and nothing taken) past the limit
  void give_back(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

class MessageSpool {
 public:
  // `path`: the spill file to create when needed (unique per session). memory_limit: the most
  // bytes of this message kept in memory; `shared` (optional, outliving the spool): the budget
  // of all sessions, which can send the message to the file earlier.
  MessageSpool(std::string path, size_t memory_limit, SpoolMemory* shared = nullptr,
               Env& env = Env::real());
  ~MessageSpool();
  MessageSpool(const MessageSpool&) = delete;
  MessageSpool& operator=(const MessageSpool&) = delete;

  void append(std::string_view bytes);
  // True when the memory part should go to the file now (spill()).
  bool wants_spill() const { return to_file_ && memory_bytes_ >= file_chunk_; }
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
  // Once a message goes to the file, it is written in pieces of this size as it arrives.
  static constexpr size_t kFileChunk = 256 * 1024;

 private:
  void give_back_memory();

  std::string path_;
  size_t memory_limit_;
  size_t file_chunk_;
  SpoolMemory* shared_;
  Env& env_;
  std::unique_ptr<WritableFile> file_;
  bool created_ = false;
  bool to_file_ = false;  // the message outgrew memory: the rest goes to the file
  // The memory part in blocks that are filled and never moved (a growing string would copy
  // everything already received each time it doubles).
  std::vector<std::string> blocks_;
  uint64_t memory_bytes_ = 0;
  uint64_t taken_ = 0;  // bytes taken from `shared_`
  std::string head_;
  uint64_t size_ = 0;
};

}  // namespace roost::smtp
