// FileBlobBatch: the blobs of one import batch, made durable together (FileBlobStore::
// begin_batch). A blob file reaches its content address only after its bytes are synced, so a
// reader or a deduplicating writer never finds a file whose bytes a crash could still lose.
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "store/content_hash.h"
#include "store/sqlite/file_blob_store.h"

namespace roost::store::sqlite {

class FileBlobBatch final : public BlobBatch {
 public:
  explicit FileBlobBatch(FileBlobStore& store) : store_(store) {}
  ~FileBlobBatch() override { drop_unplaced(); }

  Result<BlobRef> add(std::string_view bytes) override {
    if (synced_) return make_error(ErrorKind::Internal, "blob batch already synced");
    Pending& p = pending_.emplace_back();
    std::tie(p.tmp_name, p.tmp_path) = store_.new_tmp();
    auto file = store_.env_.create_file(p.tmp_path);
    if (!file) {
      store_.forget_tmp(p.tmp_name);
      pending_.pop_back();
      return file.error();
    }
    p.file = std::move(*file);
    p.id = content_id(bytes);
    p.size = bytes.size();
    ROOST_TRY(p.file->append(bytes));
    ROOST_TRY(p.file->close());
    return BlobRef{p.id, p.size};
  }

  Status sync() override {
    if (synced_) return make_error(ErrorKind::Internal, "blob batch already synced");
    synced_ = true;
    Status st = sync_all();
    if (!st) {
      for (const Pending& p : pending_) {
        if (p.placed) store_.unpin(p.id);
      }
    }
    return st;
  }

 private:
  struct Pending {
    std::unique_ptr<WritableFile> file;
    std::string tmp_name, tmp_path, id;
    uint64_t size = 0;
    bool placed = false;
  };

  Status sync_all() {
    // Two syncfs calls a batch instead of a file and a directory fsync a message. The bytes are
    // durable before any file gets its address, so no one dedupes against a file a crash empties.
    if (store_.durable_) ROOST_TRY(store_.env_.sync_fs(store_.tmp_dir_));
    std::set<std::string> dirs;  // each sync_fs covers them all
    for (const Pending& p : pending_) ROOST_TRY(store_.make_fanout_dirs(p.id, dirs));
    for (Pending& p : pending_) {
      ROOST_TRY(store_.place(p.tmp_path, p.id, dirs));
      p.placed = true;
      store_.forget_tmp(p.tmp_name);
    }
    return store_.durable_ ? store_.env_.sync_fs(store_.blob_dir_) : ok();
  }

  void drop_unplaced() {
    for (Pending& p : pending_) {
      if (p.placed) continue;
      (void)p.file->close();
      (void)store_.env_.remove(p.tmp_path);
      store_.forget_tmp(p.tmp_name);
    }
  }

  FileBlobStore& store_;
  std::vector<Pending> pending_;
  bool synced_ = false;
};

Result<std::unique_ptr<BlobBatch>> FileBlobStore::begin_batch() {
  return std::unique_ptr<BlobBatch>(new FileBlobBatch(*this));
}

}  // namespace roost::store::sqlite
