#include "store/sqlite/file_blob_store.h"

#include <unistd.h>

#include "store/content_hash.h"

namespace roost::store::sqlite {

bool is_blob_id(std::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

class FileBlobWriter final : public BlobWriter {
 public:
  FileBlobWriter(FileBlobStore& store, std::unique_ptr<WritableFile> file, std::string tmp_name,
                 std::string tmp_path)
      : store_(store),
        file_(std::move(file)),
        tmp_name_(std::move(tmp_name)),
        tmp_path_(std::move(tmp_path)) {}
  ~FileBlobWriter() override { abort(); }

  Status write(std::string_view chunk) override {
    if (done_) return make_error(ErrorKind::Internal, "blob writer already finished");
    ROOST_TRY(file_->append(chunk));
    hasher_.update(chunk);
    if (!hasher_.ok()) return make_error(ErrorKind::Internal, "hashing failed");
    // A large message goes to disk while the rest arrives: commit()'s fsync then has only the
    // tail left to wait for.
    if (store_.durable_ && file_->size() - written_back_ >= kWritebackEvery) {
      file_->start_writeback();
      written_back_ = file_->size();
    }
    return ok();
  }

  uint64_t size() const override { return file_->size(); }

  Result<BlobRef> commit() override {
    if (done_) return make_error(ErrorKind::Internal, "blob writer not usable");
    std::string id = hasher_.finish_hex();
    if (id.empty()) return make_error(ErrorKind::Internal, "hashing failed");
    uint64_t size = file_->size();
    Status st = store_.durable_ ? file_->sync() : ok();
    if (st) st = file_->close();
    if (!st) {
      abort();
      return st.error();
    }
    done_ = true;
    auto ref = store_.finish(tmp_path_, id, size);
    store_.forget_tmp(tmp_name_);
    if (!ref) (void)store_.env_.remove(tmp_path_);
    return ref;
  }

  void abort() override {
    if (done_) return;
    done_ = true;
    (void)file_->close();
    (void)store_.env_.remove(tmp_path_);
    store_.forget_tmp(tmp_name_);
  }

 private:
  FileBlobStore& store_;
  std::unique_ptr<WritableFile> file_;
  std::string tmp_name_;
  std::string tmp_path_;
  static constexpr uint64_t kWritebackEvery = 256 * 1024;

  ContentHasher hasher_;
  uint64_t written_back_ = 0;
  bool done_ = false;
};

// Holds a small blob in memory and hashes it; past the inline limit it moves everything to a
// file writer and passes every later chunk on.
class SmallFirstBlobWriter final : public BlobWriter {
 public:
  explicit SmallFirstBlobWriter(FileBlobStore& store) : store_(store) {}

  Status write(std::string_view chunk) override {
    if (done_) return make_error(ErrorKind::Internal, "blob writer already finished");
    if (file_) return file_->write(chunk);
    if (bytes_.size() + chunk.size() <= store_.inline_max_) {
      bytes_.append(chunk);
      return ok();
    }
    auto file = store_.begin_file();
    if (!file) return file.error();
    file_ = std::move(*file);
    ROOST_TRY(file_->write(bytes_));
    bytes_ = std::string();
    return file_->write(chunk);
  }

  uint64_t size() const override { return file_ ? file_->size() : bytes_.size(); }

  Result<BlobRef> commit() override {
    if (done_) return make_error(ErrorKind::Internal, "blob writer not usable");
    done_ = true;
    if (file_) return file_->commit();
    ContentHasher hasher;
    hasher.update(bytes_);
    std::string id = hasher.finish_hex();
    if (id.empty()) return make_error(ErrorKind::Internal, "hashing failed");
    return store_.stage(std::move(id), std::move(bytes_));
  }

  void abort() override {
    done_ = true;
    if (file_) file_->abort();
    bytes_ = std::string();
  }

 private:
  FileBlobStore& store_;
  std::string bytes_;
  std::unique_ptr<BlobWriter> file_;  // once past the limit
  bool done_ = false;
};

// A small blob's bytes as a read view.
class StagedBlob final : public MappedFile {
 public:
  explicit StagedBlob(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  std::string_view bytes() const override { return *bytes_; }

 private:
  std::shared_ptr<const std::string> bytes_;
};

FileBlobStore::FileBlobStore(Env& env, std::string data_dir, bool durable, uint64_t inline_max)
    : env_(env),
      blob_dir_(data_dir + "/blobs"),
      tmp_dir_(data_dir + "/tmp"),
      durable_(durable),
      inline_max_(inline_max) {}

Status FileBlobStore::init() {
  ROOST_TRY(env_.make_dirs(blob_dir_));
  return env_.make_dirs(tmp_dir_);
}

std::pair<std::string, std::string> FileBlobStore::new_tmp() {
  std::lock_guard lock(mu_);
  std::string name = std::to_string(::getpid()) + "." + std::to_string(next_tmp_++);
  live_tmp_.insert(name);
  return {name, tmp_dir_ + "/" + name};
}

Result<std::unique_ptr<BlobWriter>> FileBlobStore::begin() {
  if (inline_max_ > 0) return std::unique_ptr<BlobWriter>(new SmallFirstBlobWriter(*this));
  return begin_file();
}

Result<std::unique_ptr<BlobWriter>> FileBlobStore::begin_file() {
  auto [name, path] = new_tmp();
  auto file = env_.create_file(path);
  if (!file) {
    forget_tmp(name);
    return file.error();
  }
  return std::unique_ptr<BlobWriter>(
      new FileBlobWriter(*this, std::move(*file), std::move(name), std::move(path)));
}

Result<std::shared_ptr<const MappedFile>> FileBlobStore::read(const std::string& blob_id) {
  if (!is_blob_id(blob_id)) return make_error(ErrorKind::NotFound, "no such blob", blob_id);
  if (auto bytes = staged(blob_id)) {
    return std::shared_ptr<const MappedFile>(std::make_shared<StagedBlob>(std::move(bytes)));
  }
  auto file = env_.map_file(path_of(blob_id));
  if (file || file.error().kind != ErrorKind::NotFound) return file;
  if (inline_reader_) {
    auto in_index = inline_reader_({blob_id});
    if (!in_index) return in_index.error();
    if (in_index->front()) return in_index->front();
  }
  // Last, so that small blobs (in the index) cost no second failed open.
  auto legacy = env_.map_file(legacy_path_of(blob_id));
  if (legacy || legacy.error().kind != ErrorKind::NotFound) return legacy;
  return file;  // nowhere: the file's error names the path
}

std::vector<Result<std::shared_ptr<const MappedFile>>> FileBlobStore::read_many(
    const std::vector<std::string>& blob_ids) {
  using Mapped = std::shared_ptr<const MappedFile>;
  std::vector<Result<Mapped>> out(blob_ids.size(), Mapped());
  std::vector<size_t> rest;  // indexes still to read
  for (size_t i = 0; i < blob_ids.size(); ++i) {
    if (!is_blob_id(blob_ids[i])) {
      out[i] = make_error(ErrorKind::NotFound, "no such blob", blob_ids[i]);
    } else if (auto bytes = staged(blob_ids[i])) {
      out[i] = Mapped(std::make_shared<StagedBlob>(std::move(bytes)));
    } else {
      rest.push_back(i);
    }
  }
  if (inline_reader_ && !rest.empty()) {
    std::vector<std::string> ids;
    ids.reserve(rest.size());
    for (size_t i : rest) ids.push_back(blob_ids[i]);
    auto in_index = inline_reader_(ids);
    if (in_index) {
      std::vector<size_t> files;
      for (size_t k = 0; k < rest.size(); ++k) {
        if ((*in_index)[k]) {
          out[rest[k]] = std::move((*in_index)[k]);
        } else {
          files.push_back(rest[k]);
        }
      }
      rest = std::move(files);
    }  // an index error: read() each, which reports it where the blob is not a file
  }
  for (size_t i : rest) out[i] = read(blob_ids[i]);
  return out;
}

std::shared_ptr<const MappedFile> FileBlobStore::view_of(std::string bytes) {
  return std::make_shared<StagedBlob>(std::make_shared<const std::string>(std::move(bytes)));
}

BlobRef FileBlobStore::stage(std::string id, std::string bytes) {
  BlobRef ref{id, bytes.size()};
  std::lock_guard lock(mu_);
  ++pins_[id];
  auto& slot = staged_[id];
  if (!slot) slot = std::make_shared<const std::string>(std::move(bytes));
  return ref;
}

std::shared_ptr<const std::string> FileBlobStore::staged(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = staged_.find(id);
  return it == staged_.end() ? nullptr : it->second;
}

std::string FileBlobStore::path_of(std::string_view id) const {
  std::string path = blob_dir_;
  path += '/';
  path += id.substr(0, 2);
  path += '/';
  path += id;
  return path;
}

std::string FileBlobStore::legacy_path_of(std::string_view id) const {
  std::string path = blob_dir_;
  path += '/';
  path += id.substr(0, 2);
  path += '/';
  path += id.substr(2, 2);
  path += '/';
  path += id;
  return path;
}

Status FileBlobStore::make_fanout_dirs(const std::string& id, std::set<std::string>& dirty) {
  std::string dir = blob_dir_ + "/" + id.substr(0, 2);
  if (env_.exists(dir)) return ok();
  // A new directory entry must be durable before the blob inside it is acknowledged.
  dirty.insert(blob_dir_);
  return env_.make_dirs(dir);
}

Status FileBlobStore::place(const std::string& tmp_path, const std::string& id,
                            std::set<std::string>& dirty) {
  std::string path = path_of(id);
  {
    std::lock_guard lock(mu_);
    ++pins_[id];
    bool here = env_.exists(path);
    bool in_legacy = !here && env_.exists(legacy_path_of(id));
    Status st = here || in_legacy ? env_.remove(tmp_path) : env_.rename(tmp_path, path);
    if (!st) {
      if (--pins_[id] == 0) pins_.erase(id);
      return st.error();
    }
    if (in_legacy) path = legacy_path_of(id);
  }
  // Synced even when the file was there: its rename may still be in flight in another batch.
  dirty.insert(path.substr(0, path.size() - id.size() - 1));
  return ok();
}

Status FileBlobStore::sync_dirs(const std::set<std::string>& dirs) {
  if (!durable_) return ok();
  for (const std::string& dir : dirs) ROOST_TRY(env_.sync_dir(dir));
  return ok();
}

Result<BlobRef> FileBlobStore::finish(const std::string& tmp_path, const std::string& id,
                                      uint64_t size) {
  std::set<std::string> parents, leaf;
  ROOST_TRY(make_fanout_dirs(id, parents));
  ROOST_TRY(sync_dirs(parents));
  ROOST_TRY(place(tmp_path, id, leaf));
  Status st = sync_dirs(leaf);
  if (!st) {
    unpin(id);
    return st.error();
  }
  return BlobRef{id, size};
}

void FileBlobStore::forget_tmp(const std::string& name) {
  std::lock_guard lock(mu_);
  live_tmp_.erase(name);
}

bool FileBlobStore::remove_if_unused(const std::string& id,
                                     const std::function<bool()>& unreferenced) {
  std::lock_guard lock(mu_);
  if (pins_.count(id) != 0 || !unreferenced()) return false;
  Status removed = env_.remove(path_of(id));
  if (!removed && removed.error().kind == ErrorKind::NotFound) removed = env_.remove(legacy_path_of(id));
  return static_cast<bool>(removed);
}

void FileBlobStore::unpin(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = pins_.find(id);
  if (it != pins_.end() && --it->second <= 0) {
    pins_.erase(it);
    staged_.erase(id);
  }
}

bool FileBlobStore::is_pinned(const std::string& id) {
  std::lock_guard lock(mu_);
  return pins_.count(id) != 0;
}

Result<std::vector<std::string>> FileBlobStore::list_ids(std::vector<std::string>* strays) {
  std::vector<std::string> ids;
  auto firsts = env_.list_dir(blob_dir_);
  if (!firsts) return firsts.error();
  for (const auto& a : *firsts) {
    std::string first = blob_dir_ + "/" + a;
    auto entries = env_.list_dir(first);
    if (!entries) continue;  // a stray file at the top
    for (auto& entry : *entries) {
      if (is_blob_id(entry) && entry.compare(0, 2, a) == 0) {
        ids.push_back(std::move(entry));
        continue;
      }
      // A second-level directory of the older layout (a file there is no blob: a stray).
      auto names = entry.size() == 2 ? env_.list_dir(first + "/" + entry)
                                     : Result<std::vector<std::string>>(
                                           make_error(ErrorKind::NotFound, "not a directory"));
      if (!names) {
        if (strays != nullptr) strays->push_back(first + "/" + entry);
        continue;
      }
      for (auto& name : *names) {
        bool placed =
            is_blob_id(name) && name.compare(0, 2, a) == 0 && name.compare(2, 2, entry) == 0;
        if (placed) {
          ids.push_back(std::move(name));
        } else if (strays != nullptr) {
          strays->push_back(first + "/" + entry + "/" + name);
        }
      }
    }
  }
  return ids;
}

Result<size_t> FileBlobStore::clean_tmp() {
  auto names = env_.list_dir(tmp_dir_);
  if (!names) return names.error();
  size_t removed = 0;
  for (const auto& name : *names) {
    {
      std::lock_guard lock(mu_);
      if (live_tmp_.count(name) != 0) continue;
    }
    if (env_.remove(tmp_dir_ + "/" + name)) ++removed;
  }
  return removed;
}

}  // namespace roost::store::sqlite
