#include "store/sqlite/open_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "base/log.h"

namespace roost::store::sqlite {
namespace {

constexpr std::string_view kClean = "clean\n";
constexpr std::string_view kOpen = "open\n";

Error lock_error(std::string_view what, const std::string& path, int err) {
  return make_error(ErrorKind::Io, "cannot " + std::string(what) + " the store's lock file",
                    path + ": " + std::strerror(err));
}

// One lock over the whole file, owned by the open file description (not the process), so two
// stores opened in one process exclude each other as two processes do, and a change between
// shared and exclusive is atomic.
int set_lock(int fd, short type, bool wait) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  for (;;) {
    if (::fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &lock) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

bool busy(int err) { return err == EAGAIN || err == EACCES; }

}  // namespace

Result<std::unique_ptr<OpenMarker>> OpenMarker::acquire(const std::string& path, bool durable) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return lock_error("open", path, errno);
  std::unique_ptr<OpenMarker> marker(new OpenMarker(fd, durable));
  int err = set_lock(fd, F_WRLCK, false);
  if (busy(err)) {
    // Another opener has it: wait while it repairs, then share. If it closed meanwhile, this one
    // is alone after all and decides as the first opener does.
    err = set_lock(fd, F_RDLCK, true);
    if (err != 0) return lock_error("lock", path, err);
    err = set_lock(fd, F_WRLCK, false);
    if (busy(err)) err = 0;
    else if (err == 0) marker->exclusive_ = true;
  } else if (err == 0) {
    marker->exclusive_ = true;
  }
  if (err != 0) return lock_error("lock", path, err);

  char text[16] = {};
  ssize_t n = ::pread(fd, text, sizeof text, 0);
  if (n < 0) return lock_error("read", path, errno);
  std::string_view said(text, static_cast<size_t>(n));
  marker->was_clean_ = said == kClean;
  marker->was_open_ = said == kOpen;
  return marker;
}

Status OpenMarker::write_text(const char* text) {
  size_t len = std::strlen(text);
  if (::pwrite(fd_, text, len, 0) != static_cast<ssize_t>(len) ||
      ::ftruncate(fd_, static_cast<off_t>(len)) != 0 || (durable_ && ::fdatasync(fd_) != 0)) {
    return make_error(ErrorKind::Io, "cannot write the store's lock file", std::strerror(errno));
  }
  return ok();
}

Status OpenMarker::opened() {
  // Before any write of this opener: a crash from here on leaves "open" behind.
  if (!was_open_) ROOST_TRY(write_text(kOpen.data()));
  open_recorded_ = true;
  if (exclusive_) {
    int err = set_lock(fd_, F_RDLCK, false);  // atomic: nobody gets in between
    if (err != 0) {
      return make_error(ErrorKind::Io, "cannot share the store's lock", std::strerror(err));
    }
    exclusive_ = false;
  }
  return ok();
}

OpenMarker::~OpenMarker() {
  // The last opener is the one that can take the lock exclusively; everything it wrote is
  // committed by now (the store closes its writer first).
  if (open_recorded_ && set_lock(fd_, F_WRLCK, false) == 0) {
    if (auto written = write_text(kClean.data()); !written) {
      log::warn("store.close", {{"error", written.error().describe()}});
    }
  }
  ::close(fd_);  // drops the lock
}

}  // namespace roost::store::sqlite
