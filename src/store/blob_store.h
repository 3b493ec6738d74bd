// BlobStore: immutable, content-addressed message bytes, written once, shared by
// COPY/MOVE. Contract: BlobWriter::commit() returns only when the bytes are durable
// (fsynced, renamed into place, directory fsynced). Blobs are reference-counted by
// the index; only the Store removes them. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "base/env.h"
#include "base/result.h"
#include "store/types.h"

namespace roost::store {

// Streams one message to a temporary file while hashing it, so a 2 GiB APPEND is
// never held in memory.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual Status write(std::string_view chunk) = 0;
  virtual uint64_t size() const = 0;
  // Makes the blob durable under its content address. Writing identical bytes
  // twice yields the same BlobRef and one stored copy.
  virtual Result<BlobRef> commit() = 0;
  // Drops the temporary file (also done by the destructor when not committed).
  virtual void abort() = 0;
};

// Many blobs made durable together (import batches): each add() stores its bytes and gives the
// ref at once; sync() returns when every blob added so far is durable, as commit() would leave
// it. The index may reference the blobs only after sync(). Dropping a batch before sync() leaves
// nothing that repair would not remove.
class BlobBatch {
 public:
  virtual ~BlobBatch() = default;
  virtual Result<BlobRef> add(std::string_view bytes) = 0;
  virtual Status sync() = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual Result<std::unique_ptr<BlobWriter>> begin() = 0;
  // Whole-blob read view (mmap for files; a buffer for database backends).
  virtual Result<std::shared_ptr<const MappedFile>> read(const std::string& blob_id) = 0;
  // read() of many blobs, in the order given (SEARCH and FETCH read batches); backends override
  // it to share one index read among the batch.
  virtual std::vector<Result<std::shared_ptr<const MappedFile>>> read_many(
      const std::vector<std::string>& blob_ids);
  // Convenience: begin + write + commit.
  Result<BlobRef> put(std::string_view bytes);
  // The default batch puts (and so syncs) each blob in add(); backends override it to share one
  // sync among the batch.
  virtual Result<std::unique_ptr<BlobBatch>> begin_batch();
};

}  // namespace roost::store
