// FileBlobStore: blobs as files under data_dir/blobs/ab/<sha256 hex>, written via a temp file
// in data_dir/tmp (BlobStore contract in store/blob_store.h); small blobs (up to `inline_max`
// bytes) instead go into the index itself, in the transaction that references them.
//
// Layout: one level of 256 directories. Stores written before it used two (blobs/ab/cd/<id>):
// those files stay where they are and are found there (read, dedupe, removal, repair); new
// files always go to the one-level path. With two levels a young store made a directory (an
// inode, and two more fsyncs) for nearly every new file, until all 65,536 existed; one level
// holds 4,000 files a directory at a million blobs, which ext4's hashed directories handle.
//
// Small blobs: a file costs three to five fsyncs (file, directory, new fan-out directories) on
// top of the index commit; in the index the blob is durable with that one commit. commit() of a
// small blob keeps its bytes in memory ("staged", pinned like a file) and the store's append
// writes them into the index (inline_blobs) with the entry; read() finds staged bytes, then a
// file, then asks the index (`inline_reader`). Until that append commits, a crash loses the
// staged bytes together with the entry that would have referenced them: the message was never
// acknowledged.
//
// Deletion race: a writer may dedupe against a file whose last reference is being
// dropped by a concurrent expunge. commit() therefore pins the id under mu_, and the
// store removes a file only under mu_ when the id is unpinned and still unreferenced.
// The store unpins after the append that uses the blob has committed (or failed).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/env.h"
#include "store/blob_store.h"

namespace roost::store::sqlite {

bool is_blob_id(std::string_view id);  // 64 lower-case hex digits

class FileBlobStore final : public BlobStore {
 public:
  // Reads small blobs' bytes from the index, in the order given, in one read; null for an id
  // the index holds no bytes of.
  using InlineReader = std::function<Result<std::vector<std::shared_ptr<const MappedFile>>>(
      const std::vector<std::string>&)>;

  FileBlobStore(Env& env, std::string data_dir, bool durable, uint64_t inline_max);
  void set_inline_reader(InlineReader reader) { inline_reader_ = std::move(reader); }

  Status init();  // creates blobs/ and tmp/
  Result<std::unique_ptr<BlobWriter>> begin() override;
  Result<std::shared_ptr<const MappedFile>> read(const std::string& blob_id) override;
  // Staged bytes, then one index read for the rest, then files: a batch of small messages costs
  // one read transaction instead of a failed open() and a transaction each.
  std::vector<Result<std::shared_ptr<const MappedFile>>> read_many(
      const std::vector<std::string>& blob_ids) override;
  // Writes the batch's files unsynced; sync() makes them durable with one syncfs, renames them
  // into place and makes the new names durable with another.
  Result<std::unique_ptr<BlobBatch>> begin_batch() override;

  std::string path_of(std::string_view id) const;         // where a new file goes
  std::string legacy_path_of(std::string_view id) const;  // blobs/ab/cd/<id> (older stores)
  // Removes the file when no writer pinned the id and `unreferenced()` (checked under
  // the lock) holds. Returns true when removed.
  bool remove_if_unused(const std::string& id, const std::function<bool()>& unreferenced);
  void unpin(const std::string& id);
  // The bytes of a small blob committed but not yet in the index (null otherwise): the append
  // that references it stores them.
  std::shared_ptr<const std::string> staged(const std::string& id);
  // A read view of bytes the index holds.
  static std::shared_ptr<const MappedFile> view_of(std::string bytes);

  // For repair(): ids of all blob files (names that are not ids are returned in `strays`),
  // and removal of temp files no live writer owns.
  Result<std::vector<std::string>> list_ids(std::vector<std::string>* strays);
  Result<size_t> clean_tmp();
  bool is_pinned(const std::string& id);

 private:
  friend class FileBlobWriter;
  friend class SmallFirstBlobWriter;
  friend class FileBlobBatch;
  // A fresh temp file name (registered as live) and its path.
  std::pair<std::string, std::string> new_tmp();
  Result<BlobRef> finish(const std::string& tmp_path, const std::string& id, uint64_t size);
  void forget_tmp(const std::string& name);
  // Creates the fan-out directory of `id`; those whose entries changed go to `dirty`.
  Status make_fanout_dirs(const std::string& id, std::set<std::string>& dirty);
  // Renames a synced temp file to the blob's path, pinning the id (the append unpins it); its
  // directory goes to `dirty`.
  Status place(const std::string& tmp_path, const std::string& id, std::set<std::string>& dirty);
  Status sync_dirs(const std::set<std::string>& dirs);  // nothing when not durable
  Result<std::unique_ptr<BlobWriter>> begin_file();
  // Keeps a small blob's bytes, pinned, until the append that uses it unpins it.
  BlobRef stage(std::string id, std::string bytes);

  Env& env_;
  std::string blob_dir_;
  std::string tmp_dir_;
  bool durable_;
  uint64_t inline_max_;
  InlineReader inline_reader_;
  std::mutex mu_;
  std::unordered_map<std::string, int> pins_;  // id -> pending appends
  std::unordered_map<std::string, std::shared_ptr<const std::string>> staged_;  // pinned ids only
  std::set<std::string> live_tmp_;             // temp names of unfinished writers
  uint64_t next_tmp_ = 0;
};

}  // namespace roost::store::sqlite
