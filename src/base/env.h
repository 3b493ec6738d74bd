// Env: the seam between Roost and the file system, so tests can inject faults
// (LevelDB-style). Everything that must be durable goes through here.
// Thread safety: Env::real() and its files may be used from any thread; one
// WritableFile must not be used by two threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace roost {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status append(std::string_view data) = 0;
  virtual Status sync() = 0;   // fdatasync: data is on disk when this returns ok
  // A hint: start writing what was appended so far to disk now (sync_file_range), so that a
  // later sync() of a large file has less left to wait for. Durability still needs sync().
  virtual void start_writeback() {}
  virtual Status close() = 0;  // idempotent
  virtual uint64_t size() const = 0;
};

// A read-only view of a whole file (mmap). Empty files map to an empty view.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view bytes() const = 0;
  // A hint that [offset, offset + length) is not needed for a while: a mapping drops those
  // resident pages (whole pages only), so scanning a 2 GiB file does not keep 2 GiB in the
  // process's RSS. bytes() stays valid; reading the range again just faults it back in.
  virtual void release(uint64_t offset, uint64_t length) const {
    (void)offset;
    (void)length;
  }
};

class Env {
 public:
  virtual ~Env() = default;
  static Env& real();

  // Creates a new file; fails with Exists if it is already there.
  virtual Result<std::unique_ptr<WritableFile>> create_file(const std::string& path) = 0;
  // The whole file: mapped, or read into memory when small (cheaper than a mapping).
  virtual Result<std::shared_ptr<const MappedFile>> map_file(const std::string& path) = 0;
  virtual Result<std::string> read_file(const std::string& path) = 0;
  // Atomic replace (rename(2)); the caller syncs the directory to make it durable.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status sync_dir(const std::string& dir) = 0;
  // Makes everything written to the file system holding `path` durable (syncfs(2): one journal
  // commit and one cache flush for any number of files and directories; writeback errors of
  // files since closed are reported too, Linux >= 5.8).
  virtual Status sync_fs(const std::string& path) = 0;
  virtual Status remove(const std::string& path) = 0;    // NotFound if absent
  virtual Status make_dirs(const std::string& dir) = 0;  // mkdir -p, ok if present
  virtual bool exists(const std::string& path) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, excluding . and ..
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;

  // Writes data to path via a temp file + fsync + rename + dir fsync.
  Status write_file_atomic(const std::string& path, std::string_view data);
};

}  // namespace roost
