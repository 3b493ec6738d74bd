// What `roost import` reads: folders of messages found in an mbox file or a Maildir
// tree, scanned up front (so progress knows the total) and loaded one at a time.
// Private to src/cli.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/result.h"
#include "store/types.h"

namespace roost::cli {

// One message of a source, not yet loaded.
struct SourceMessage {
  std::string where;     // for failure reasons: "FILE:LINE" or the Maildir file path
  std::string path;      // Maildir: the file; empty for mbox
  std::string_view raw;  // mbox: the escaped lines inside ImportPlan::mapping
  uint64_t size = 0;     // bytes in the source, for progress
  store::Flags flags;
  std::optional<int64_t> internal_date;  // unix seconds; nullopt = unknown (now)
  int32_t internal_date_tz = 0;
};

struct SourceFolder {
  std::string mailbox;  // UTF-8 Roost mailbox name, '/' separated
  std::vector<SourceMessage> messages;
  std::vector<std::string> problems;  // things skipped while scanning (unreadable files...)
};

struct ImportPlan {
  std::vector<SourceFolder> folders;
  std::shared_ptr<const MappedFile> mapping;  // keeps mbox `raw` views alive
};

// Line-ending policy of every importer: the source bytes are kept exactly, except that
// a bare LF becomes CRLF (IMAP serves CRLF; RFC 5322 §2.3). A CR already present is kept.
inline std::string to_crlf(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) out += '\r';
    out += in[i];
  }
  return out;
}

// import_mbox.cc
Result<ImportPlan> scan_mbox(Env& env, const std::string& file, const std::string& mailbox);
// mboxrd: drops one '>' from every ">From " / ">>From " ... line, then to_crlf.
std::string load_mbox_message(std::string_view raw);
// "Sat Jan  3 01:05:34 1996" (asctime, optionally with a numeric zone) → unix seconds.
bool parse_from_line_date(std::string_view text, int64_t& unix_seconds, int32_t& tz_minutes);

// import_maildir.cc
Result<ImportPlan> scan_maildir(Env& env, const std::string& dir);

}  // namespace roost::cli
