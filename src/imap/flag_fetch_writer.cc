#include "imap/flag_fetch_writer.h"

#include <algorithm>
#include <charconv>

#include "imap/engine/fetch_renderer.h"

namespace roost::imap {
namespace {

constexpr size_t kFixedMax = 2 + 10 + 8 + 3;  // "* " seq " FETCH (" ")\r\n"
constexpr size_t kUidMax = 1 + 4 + 10;        // " UID " uid
constexpr size_t kFlagsMax = 1 + 6;           // " FLAGS " before the list

template <size_t N>
char* put(char* p, const char (&text)[N]) {
  return std::copy(text, text + N - 1, p);
}

char* put_number(char* p, uint32_t n) { return std::to_chars(p, p + 10, n).ptr; }

}  // namespace

void FlagFetchWriter::write(std::string& out, const MessageTarget& t) {
  const std::string* flags = nullptr;
  size_t need = kFixedMax;
  for (const FetchItem& item : items_) {
    if (item.type == FetchItemType::Uid) {
      need += kUidMax;
    } else if (item.type == FetchItemType::Flags) {
      flags = &flag_list(t.seq);
      need += kFlagsMax + flags->size();
    }
  }
  if (need > sizeof(buffer_) - used_) flush(out);
  if (need > sizeof(buffer_)) {
    write_line(out, t, flags);
    return;
  }
  char* p = buffer_ + used_;
  p = put(p, "* ");
  p = put_number(p, t.seq);
  p = put(p, " FETCH (");
  bool first = true;
  for (const FetchItem& item : items_) {
    if (item.type != FetchItemType::Uid && item.type != FetchItemType::Flags) continue;
    if (!first) *p++ = ' ';
    first = false;
    if (item.type == FetchItemType::Uid) {
      p = put(p, "UID ");
      p = put_number(p, t.uid);
    } else {
      p = put(p, "FLAGS ");
      p = std::copy(flags->begin(), flags->end(), p);
    }
  }
  p = put(p, ")\r\n");
  used_ = static_cast<size_t>(p - buffer_);
}

void FlagFetchWriter::flush(std::string& out) {
  out.append(buffer_, used_);
  used_ = 0;
}

const std::string& FlagFetchWriter::flag_list(uint32_t seq) {
  uint32_t system = view_.system_flags_at(seq);
  uint32_t keywords = view_.keyword_set_at(seq);
  uint64_t key = (uint64_t{keywords} << 32) | system;
  if (key == last_key_ && last_ != nullptr) return *last_;
  auto [it, added] = lists_.try_emplace(key);
  if (added) write_flags(it->second, store::Flags{system, view_.keyword_set(keywords)});
  last_key_ = key;
  last_ = &it->second;
  return it->second;
}

void FlagFetchWriter::write_line(std::string& out, const MessageTarget& t,
                                 const std::string* flags) const {
  out += "* " + std::to_string(t.seq) + " FETCH (";
  bool first = true;
  for (const FetchItem& item : items_) {
    if (item.type != FetchItemType::Uid && item.type != FetchItemType::Flags) continue;
    if (!first) out += ' ';
    first = false;
    if (item.type == FetchItemType::Uid) {
      out += "UID " + std::to_string(t.uid);
    } else {
      out += "FLAGS " + *flags;
    }
  }
  out += ")\r\n";
}

}  // namespace roost::imap
