// Maildir reader for `roost import maildir`: Maildir++ (Dovecot/Courier: ".Sub.Folder"
// directories beside cur/new of INBOX, names in modified UTF-7) with a fallback to the
// plain nested layout ("Sub/Folder/cur"). Flags come from the ":2,FLAGS" info suffix
// (https://cr.yp.to/proto/maildir.html); Dovecot keyword letters a-z come from each
// folder's dovecot-keywords file. Internal dates are the files' mtimes.
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cli/import_source.h"
#include "imap/proto/mutf7.h"

namespace roost::cli {
namespace {

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_maildir(const std::string& path) { return is_dir(path + "/cur") || is_dir(path + "/new"); }

// Keyword names by letter: "0 $Label1" on line → 'a' means $Label1 (Dovecot).
std::map<char, std::string> read_keywords(Env& env, const std::string& folder_dir) {
  std::map<char, std::string> keywords;
  auto text = env.read_file(folder_dir + "/dovecot-keywords");
  if (!text) return keywords;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    size_t space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    std::string index = line.substr(0, space);
    std::string name = line.substr(space + 1);
    while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
    if (name.empty() || index.find_first_not_of("0123456789") != std::string::npos) continue;
    int n = std::stoi(index);
    if (n >= 0 && n < 26) keywords[static_cast<char>('a' + n)] = name;
  }
  return keywords;
}

// F=\Flagged R=\Answered S=\Seen T=\Deleted D=\Draft; a-z = Dovecot keywords.
store::Flags flags_of(std::string_view name, const std::map<char, std::string>& keywords) {
  store::Flags flags;
  size_t info = name.rfind(":2,");
  if (info == std::string_view::npos)
    info = name.rfind("!2,");  // ':' is not allowed on some filesystems
  if (info == std::string_view::npos) return flags;
  for (char c : name.substr(info + 3)) {
    switch (c) {
      case 'F':
        flags.system |= store::kFlagged;
        break;
      case 'R':
        flags.system |= store::kAnswered;
        break;
      case 'S':
        flags.system |= store::kSeen;
        break;
      case 'T':
        flags.system |= store::kDeleted;
        break;
      case 'D':
        flags.system |= store::kDraft;
        break;
      default:
        if (auto it = keywords.find(c); it != keywords.end()) flags.keywords.push_back(it->second);
    }
  }
  store::normalize(flags);
  return flags;
}

// Delivery order: Maildir unique names start with the delivery time in seconds.
bool delivered_before(const SourceMessage& a, const SourceMessage& b) {
  auto stamp = [](const std::string& path) {
    std::string_view name(path);
    name.remove_prefix(name.rfind('/') + 1);
    uint64_t v = 0;
    for (char c : name) {
      if (c < '0' || c > '9') break;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  };
  uint64_t sa = stamp(a.path), sb = stamp(b.path);
  return sa != sb ? sa < sb : a.path < b.path;
}

void scan_folder(Env& env, const std::string& dir, const std::string& mailbox, ImportPlan& plan) {
  SourceFolder folder;
  folder.mailbox = mailbox;
  auto keywords = read_keywords(env, dir);
  for (std::string sub : {"cur", "new"}) {
    std::string sub_dir = dir + "/" + sub;
    if (!is_dir(sub_dir)) continue;
    auto names = env.list_dir(sub_dir);
    if (!names) {
      folder.problems.push_back(sub_dir + ": " + names.error().describe());
      continue;
    }
    for (const std::string& name : *names) {
      if (name.starts_with(".")) continue;
      std::string path = sub_dir + "/" + name;
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        folder.problems.push_back(path + ": not a regular file, skipped");
        continue;
      }
      SourceMessage message;
      message.where = path;
      message.path = path;
      message.size = static_cast<uint64_t>(st.st_size);
      message.flags = flags_of(name, keywords);
      if (sub == "new") message.flags.system &= ~store::kSeen;  // new/ means not yet seen
      message.internal_date = st.st_mtim.tv_sec;
      folder.messages.push_back(std::move(message));
    }
  }
  std::sort(folder.messages.begin(), folder.messages.end(), delivered_before);
  plan.folders.push_back(std::move(folder));
}

// "Sub&AOQ-" → "Subä"; names that are not valid mUTF-7 (e.g. raw UTF-8) stay as they are.
std::string decode_name(std::string_view name) {
  auto decoded = imap::mutf7_decode(name);
  return decoded ? *decoded : std::string(name);
}

// Plain nested layout: every directory below the root that is a maildir is a mailbox.
void scan_nested(Env& env, const std::string& dir, const std::string& prefix, ImportPlan& plan) {
  auto names = env.list_dir(dir);
  if (!names) return;
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (name.starts_with(".") || name == "cur" || name == "new" || name == "tmp") continue;
    std::string path = dir + "/" + name;
    if (!is_dir(path)) continue;
    std::string mailbox = prefix.empty() ? decode_name(name) : prefix + "/" + decode_name(name);
    if (is_maildir(path)) scan_folder(env, path, mailbox, plan);
    scan_nested(env, path, mailbox, plan);
  }
}

}  // namespace

Result<ImportPlan> scan_maildir(Env& env, const std::string& dir) {
  if (!is_dir(dir)) return make_error(ErrorKind::NotFound, "no such directory", dir);
  ImportPlan plan;
  if (is_maildir(dir)) scan_folder(env, dir, "INBOX", plan);

  auto names = env.list_dir(dir);
  if (!names) return names.error();
  std::sort(names->begin(), names->end());
  bool maildir_plus_plus = false;
  for (const std::string& name : *names) {
    if (name.size() < 2 || name[0] != '.' || name == "..") continue;
    std::string path = dir + "/" + name;
    if (!is_dir(path) || !is_maildir(path)) continue;
    maildir_plus_plus = true;
    // ".Sub.Folder" → "Sub/Folder": '.' is the Maildir++ hierarchy separator.
    std::string mailbox;
    size_t start = 1;
    while (start <= name.size()) {
      size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      if (!mailbox.empty()) mailbox += '/';
      mailbox += decode_name(std::string_view(name).substr(start, dot - start));
      start = dot + 1;
    }
    scan_folder(env, path, mailbox, plan);
  }
  if (!maildir_plus_plus) scan_nested(env, dir, "", plan);
  if (plan.folders.empty()) {
    return make_error(ErrorKind::NotFound, "not a Maildir: no cur/ or new/ directory found", dir);
  }
  return plan;
}

}  // namespace roost::cli
