// Base subject extraction (RFC 5256 §2.1) for SORT SUBJECT and THREAD: "Re: [list] Fwd: Hi
// (fwd)" → "Hi". Input is the decoded UTF-8 subject (ParsedMessage::subject).
#pragma once

#include <string>
#include <string_view>

namespace roost::imap {

struct BaseSubject {
  std::string text;               // the base subject, case kept
  bool reply_or_forward = false;  // a "Re:", "Fw:", "Fwd:", "(fwd)" or "[fwd: ]" was removed
};

BaseSubject extract_base_subject(std::string_view subject);

// The i;ascii-casemap form (RFC 4790 §9.2.1: ASCII letters upper-cased) used to compare and
// group base subjects and address keys.
std::string ascii_casemap(std::string_view text);

}  // namespace roost::imap
