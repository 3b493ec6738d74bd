#include "base/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace roost {
namespace {

Error io_error(std::string_view what, const std::string& path, int err) {
  ErrorKind kind = ErrorKind::Io;
  if (err == ENOENT) kind = ErrorKind::NotFound;
  if (err == EEXIST) kind = ErrorKind::Exists;
  if (err == ENOSPC || err == EDQUOT) kind = ErrorKind::OverQuota;
  return make_error(kind, std::string(what) + " failed", path + ": " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override { close(); }

  Status append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return ok();
  }
  Status sync() override {
    if (::fdatasync(fd_) != 0) return io_error("fsync", path_, errno);
    return ok();
  }
  void start_writeback() override {
    if (fd_ < 0 || size_ <= started_) return;
    // Best effort: an error here shows again, and counts, at sync().
    (void)::sync_file_range(fd_, static_cast<off_t>(started_),
                            static_cast<off_t>(size_ - started_), SYNC_FILE_RANGE_WRITE);
    started_ = size_;
  }
  Status close() override {
    if (fd_ < 0) return ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return io_error("close", path_, errno);
    return ok();
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t started_ = 0;  // bytes whose writeback start_writeback() began
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* addr, size_t len) : addr_(addr), len_(len) {}
  ~PosixMappedFile() override {
    if (addr_ != nullptr) ::munmap(addr_, len_);
  }
  std::string_view bytes() const override {
    return addr_ ? std::string_view(static_cast<const char*>(addr_), len_) : std::string_view();
  }
  void release(uint64_t offset, uint64_t length) const override {
    if (addr_ == nullptr || offset >= len_) return;
    static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    uint64_t end = std::min<uint64_t>(len_, offset + length);
    uint64_t first = (offset + page - 1) / page * page;  // whole pages inside the range only
    uint64_t last = end == len_ ? (len_ + page - 1) / page * page : end / page * page;
    if (last <= first) return;
    // Read-only shared file mapping: MADV_DONTNEED only unmaps; the page cache keeps the data.
    (void)::madvise(static_cast<char*>(addr_) + first, last - first, MADV_DONTNEED);
  }

 private:
  void* addr_;
  size_t len_;
};

// A small file read into memory: for a message of a few KiB, mmap + munmap (page tables, a TLB
// flush on every thread) cost far more than copying the bytes; SEARCH and POP3 read thousands.
class BufferedFile final : public MappedFile {
 public:
  BufferedFile(std::unique_ptr<char[]> data, size_t size) : data_(std::move(data)), size_(size) {}
  std::string_view bytes() const override { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;  // not zeroed first: pread fills it
  size_t size_;
};

constexpr size_t kReadWholeBelow = 128 * 1024;  // larger files are mapped

Result<std::shared_ptr<const MappedFile>> read_fd(int fd, size_t size, const std::string& path) {
  std::unique_ptr<char[]> data(new char[size == 0 ? 1 : size]);
  size_t at = 0;
  while (at < size) {
    ssize_t n = ::pread(fd, data.get() + at, size - at, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("read", path, errno);
    }
    if (n == 0) break;  // shrank meanwhile: what is there
    at += static_cast<size_t>(n);
  }
  return std::shared_ptr<const MappedFile>(std::make_shared<BufferedFile>(std::move(data), at));
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> create_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path));
  }

  Result<std::shared_ptr<const MappedFile>> map_file(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return io_error("stat", path, err);
    }
    if (static_cast<uint64_t>(st.st_size) < kReadWholeBelow) {
      auto file = read_fd(fd, static_cast<size_t>(st.st_size), path);
      ::close(fd);
      return file;
    }
    void* addr = nullptr;
    if (st.st_size > 0) {
      addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
      if (addr == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return io_error("mmap", path, err);
      }
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(
        new PosixMappedFile(addr, static_cast<size_t>(st.st_size)));
  }

  Result<std::string> read_file(const std::string& path) override {
    auto mapped = map_file(path);
    if (!mapped) return mapped.error();
    return std::string((*mapped)->bytes());
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("rename", from, errno);
    return ok();
  }

  Status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open dir", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("fsync dir", dir, err);
    return ok();
  }

  Status sync_fs(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    int rc = ::syncfs(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("syncfs", path, err);
    return ok();
  }

  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return io_error("remove", path, errno);
    return ok();
  }

  Status make_dirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(ErrorKind::Io, "mkdir failed", dir + ": " + ec.message());
    return ok();
  }

  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Result<uint64_t> file_size(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return io_error("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return io_error("opendir", dir, errno);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }
};

}  // namespace

Env& Env::real() {
  static PosixEnv env;
  return env;
}

Status Env::write_file_atomic(const std::string& path, std::string_view data) {
  static std::atomic<uint64_t> counter{0};
  std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  auto file = create_file(tmp);
  if (!file) return file.error();
  Status st = (*file)->append(data);
  if (st) st = (*file)->sync();
  if (st) st = (*file)->close();
  if (st) st = rename(tmp, path);
  if (!st) {
    remove(tmp);
    return st;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  return sync_dir(dir.empty() ? "." : dir);
}

}  // namespace roost
