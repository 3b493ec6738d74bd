// SyntaxReader: token-level cursor over one complete command as it came off the wire (lines
// joined with CRLF, literals inline). Implements the RFC 9051 §9 lexical rules (atom, astring,
// string, literal, number, sequence-set, flag, mailbox) and counts the per-command limits.
// Internal to imap/proto; the grammar functions in *_grammar.cc drive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imap/proto/parser_limits.h"
#include "imap/proto/sequence_set.h"

namespace roost::imap {

class SyntaxReader {
 public:
  SyntaxReader(std::string_view text, const ParserLimits& limits, bool utf8_names)
      : text_(text), limits_(limits), utf8_names_(utf8_names) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  std::string_view rest() const { return text_.substr(pos_); }
  const ParserLimits& limits() const { return limits_; }

  Error error(std::string text) const;
  bool consume(char c);
  Status expect(char c);
  Status sp() { return expect(' '); }
  Status end();  // nothing may follow the command

  // Consumes `word` case-insensitively when it is the whole next atom.
  bool consume_word(std::string_view word);
  Result<std::string> atom();        // 1*ATOM-CHAR
  Result<std::string> upper_atom();  // atom, upper-cased
  Result<std::string> tag();         // 1*<ASTRING-CHAR except "+">
  Result<uint32_t> nz_number();
  Result<uint32_t> number();
  Result<uint64_t> number64();      // RFC 9051 number64 (≤ 2^63-1)
  Result<uint64_t> mod_sequence();  // RFC 7162 mod-sequence-value (nz, < 2^63)
  Result<std::string> string();     // quoted / literal
  Result<std::string> astring();
  Result<std::optional<std::string>> nstring();
  Result<std::string> mailbox();       // astring, decoded to UTF-8, INBOX normalised
  Result<std::string> list_mailbox();  // list-char+ / string, decoded like mailbox()
  Result<SequenceSet> sequence_set();
  Result<std::string> flag();                    // "\Seen", keyword; "\*" only when allow_star
  Result<std::vector<std::string>> flag_list();  // "(" [flag *(SP flag)] ")"
  Result<std::string> date_text();               // date, optionally quoted

  // Parentheses with depth accounting (ParserLimits::max_nesting).
  Status open();
  Status close();

  // Decodes a raw mailbox name per the UTF8 mode (shared with the APPEND path).
  Result<std::string> decode_mailbox(std::string raw) const;

 private:
  Result<std::string> quoted();
  Result<std::string> literal();

  std::string_view text_;
  const ParserLimits& limits_;
  bool utf8_names_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  size_t ranges_ = 0;
};

bool is_atom_char(char c);
std::string to_upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace roost::imap
