#include "imap/engine/base_subject.h"

namespace roost::imap {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && starts_with_ci(s.substr(s.size() - suffix.size()), suffix);
}

size_t skip_wsp(std::string_view s, size_t p) {
  while (p < s.size() && is_wsp(s[p])) ++p;
  return p;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; returns the end, or npos when there is none at p.
size_t match_blob(std::string_view s, size_t p) {
  if (p >= s.size() || s[p] != '[') return std::string_view::npos;
  for (size_t q = p + 1; q < s.size(); ++q) {
    if (s[q] == '[') return std::string_view::npos;
    if (s[q] == ']') return skip_wsp(s, q + 1);
  }
  return std::string_view::npos;
}

// subj-leader = (*subj-blob subj-refwd) / WSP; subj-refwd = ("re" / ("fw" ["d"])) *WSP
// [subj-blob] ":". Returns the end, or npos.
size_t match_leader(std::string_view s, bool& refwd) {
  if (!s.empty() && is_wsp(s[0])) return skip_wsp(s, 0);
  size_t p = 0;
  for (size_t b; (b = match_blob(s, p)) != std::string_view::npos;) p = b;
  std::string_view rest = s.substr(p);
  if (starts_with_ci(rest, "re"))
    p += 2;
  else if (starts_with_ci(rest, "fwd"))
    p += 3;
  else if (starts_with_ci(rest, "fw"))
    p += 2;
  else
    return std::string_view::npos;
  p = skip_wsp(s, p);
  if (size_t b = match_blob(s, p); b != std::string_view::npos) p = b;
  if (p >= s.size() || s[p] != ':') return std::string_view::npos;
  refwd = true;
  return p + 1;
}

}  // namespace

std::string ascii_casemap(std::string_view text) {
  // RFC 4790 §9.2.1: lower-case letters become upper case, then octets compare, so "_" (0x5F)
  // sorts after the letters, not before them as it would after lower-casing.
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

BaseSubject extract_base_subject(std::string_view subject) {
  BaseSubject result;
  // Step 1: tabs and line breaks become spaces, runs of spaces one space.
  std::string s;
  for (char c : subject) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !s.empty() && s.back() == ' ') continue;
    s += c;
  }
  while (true) {
    // Step 2: remove subj-trailer ("(fwd)" / WSP) repeatedly.
    while (true) {
      if (!s.empty() && s.back() == ' ') {
        s.pop_back();
      } else if (ends_with_ci(s, "(fwd)")) {
        s.resize(s.size() - 5);
        result.reply_or_forward = true;
      } else {
        break;
      }
    }
    // Steps 3-5: remove leaders, then a leading blob if something remains after it.
    while (true) {
      bool refwd = false;
      size_t end = match_leader(s, refwd);
      if (end != std::string_view::npos) {
        s.erase(0, end);
        result.reply_or_forward = result.reply_or_forward || refwd;
        continue;
      }
      size_t blob = match_blob(s, 0);
      if (blob != std::string_view::npos && blob < s.size()) {
        s.erase(0, blob);
        continue;
      }
      break;
    }
    // Step 6: "[fwd: ...]" wraps the whole subject.
    if (starts_with_ci(s, "[fwd:") && !s.empty() && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      result.reply_or_forward = true;
      continue;
    }
    break;
  }
  result.text = std::move(s);
  return result;
}

}  // namespace roost::imap
