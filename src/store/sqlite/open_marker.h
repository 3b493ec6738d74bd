// OpenMarker: data_dir/index.lock says who has the store open and whether the last one to close
// it closed it cleanly, so that the full repair (a scan of every message and blob, 20 s and more
// for a million messages) runs only after a crash, and never while another process is using the
// store (a repair there would delete the temp and blob files of that process's appends in flight).
//
// Every opener holds an open-file-description lock (fcntl F_OFD_*) on the file for its lifetime:
// exclusive while it decides and repairs, shared after. The file's text is "clean" only while no
// process has the store open: the first opener writes "open" before anything else is written, the
// last closer (the one that can take the lock exclusively) writes "clean" after everything else.
// A crash leaves "open" behind and drops the lock, so the next opener finds both and repairs.
// Thread-compatible; one per SqliteStore.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace roost::store::sqlite {

class OpenMarker {
 public:
  // Opens (creating) `path` and locks it: exclusively if no other opener holds it, else shared
  // (waiting while another opener repairs). `durable`: fdatasync each change of the text.
  static Result<std::unique_ptr<OpenMarker>> acquire(const std::string& path, bool durable);
  // Writes "clean" if this is the last opener; releases the lock either way.
  ~OpenMarker();
  OpenMarker(const OpenMarker&) = delete;
  OpenMarker& operator=(const OpenMarker&) = delete;

  // True when this opener is alone and the store was not closed cleanly (or never had a marker,
  // as a store made by an older version): the caller repairs before calling opened().
  bool needs_repair() const { return exclusive_ && !was_clean_; }
  // True while this opener is alone (until opened()): temp files in the store are nobody's.
  bool alone() const { return exclusive_; }
  // The store is consistent and about to be used: records "open" durably and lets other openers
  // in (the exclusive lock becomes shared, atomically).
  Status opened();

 private:
  OpenMarker(int fd, bool durable) : fd_(fd), durable_(durable) {}
  Status write_text(const char* text);

  int fd_;
  bool durable_;
  bool exclusive_ = false;
  bool was_clean_ = false;
  bool was_open_ = false;
  bool open_recorded_ = false;
};

}  // namespace roost::store::sqlite
