// FileBlobStore: blobs as files under data_dir/blobs/ab/cd/<sha256 hex>, written via a
// temp file in data_dir/tmp (BlobStore contract in store/blob_store.h).
//
// Deletion race: a writer may dedupe against a file whose last reference is being
// dropped by a concurrent expunge. commit() therefore pins the id under mu_, and the
// store removes a file only under mu_ when the id is unpinned and still unreferenced.
// The store unpins after the append that uses the blob has committed (or failed).
#pragma once

#include <functional>
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
  FileBlobStore(Env& env, std::string data_dir, bool durable);

  Status init();  // creates blobs/ and tmp/
  Result<std::unique_ptr<BlobWriter>> begin() override;
  Result<std::shared_ptr<const MappedFile>> read(const std::string& blob_id) override;
  // Writes the batch's files unsynced; sync() makes them durable with one syncfs, renames them
  // into place and makes the new names durable with another.
  Result<std::unique_ptr<BlobBatch>> begin_batch() override;

  std::string path_of(std::string_view id) const;
  // Removes the file when no writer pinned the id and `unreferenced()` (checked under
  // the lock) holds. Returns true when removed.
  bool remove_if_unused(const std::string& id, const std::function<bool()>& unreferenced);
  void unpin(const std::string& id);

  // For repair(): ids of all blob files (names that are not ids are returned in `strays`),
  // and removal of temp files no live writer owns.
  Result<std::vector<std::string>> list_ids(std::vector<std::string>* strays);
  Result<size_t> clean_tmp();
  bool is_pinned(const std::string& id);

 private:
  friend class FileBlobWriter;
  friend class FileBlobBatch;
  // A fresh temp file name (registered as live) and its path.
  std::pair<std::string, std::string> new_tmp();
  Result<BlobRef> finish(const std::string& tmp_path, const std::string& id, uint64_t size);
  void forget_tmp(const std::string& name);
  // Creates the fan-out directories of `id`; those whose entries changed go to `dirty`.
  Status make_fanout_dirs(const std::string& id, std::set<std::string>& dirty);
  // Renames a synced temp file to the blob's path, pinning the id (the append unpins it); its
  // directory goes to `dirty`.
  Status place(const std::string& tmp_path, const std::string& id, std::set<std::string>& dirty);
  Status sync_dirs(const std::set<std::string>& dirs);  // nothing when not durable

  Env& env_;
  std::string blob_dir_;
  std::string tmp_dir_;
  bool durable_;
  std::mutex mu_;
  std::unordered_map<std::string, int> pins_;  // id -> pending appends
  std::set<std::string> live_tmp_;             // temp names of unfinished writers
  uint64_t next_tmp_ = 0;
};

}  // namespace roost::store::sqlite
