#include "imap/proto/syntax_reader.h"

#include <algorithm>

#include "imap/proto/mutf7.h"

namespace roost::imap {

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x1F || u >= 0x7F) return false;  // CTL and 8-bit are not CHAR (RFC 9051 §9)
  switch (c) {
    case '(':
    case ')':
    case '{':
    case ' ':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return true;
  }
}

namespace {
bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }
bool is_list_char(char c) { return is_atom_char(c) || c == '%' || c == '*' || c == ']'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
         });
}

Error SyntaxReader::error(std::string text) const {
  return make_error(ErrorKind::Syntax, std::move(text), "at offset " + std::to_string(pos_));
}

bool SyntaxReader::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

Status SyntaxReader::expect(char c) {
  if (consume(c)) return ok();
  if (c == ' ') return error(at_end() ? "Missing argument" : "Expected a space");
  return error(std::string("Expected '") + c + "'");
}

Status SyntaxReader::end() {
  if (at_end()) return ok();
  return error("Unexpected extra arguments");
}

bool SyntaxReader::consume_word(std::string_view word) {
  size_t n = 0;
  while (pos_ + n < text_.size() && is_atom_char(text_[pos_ + n])) ++n;
  if (n == 0 || !iequals(text_.substr(pos_, n), word)) return false;
  pos_ += n;
  return true;
}

Result<std::string> SyntaxReader::atom() {
  size_t start = pos_;
  while (!at_end() && is_atom_char(text_[pos_])) ++pos_;
  if (pos_ == start) return error(at_end() ? "Missing argument" : "Expected an atom");
  return std::string(text_.substr(start, pos_ - start));
}

Result<std::string> SyntaxReader::upper_atom() {
  auto a = atom();
  if (!a) return a;
  return to_upper(*a);
}

Result<std::string> SyntaxReader::tag() {
  size_t start = pos_;
  while (!at_end() && is_astring_char(text_[pos_]) && text_[pos_] != '+') ++pos_;
  if (pos_ == start) return error("Invalid tag");
  return std::string(text_.substr(start, pos_ - start));
}

Result<uint64_t> SyntaxReader::number64() {
  size_t start = pos_;
  uint64_t value = 0;
  while (!at_end() && is_digit(text_[pos_])) {
    auto digit = static_cast<uint64_t>(text_[pos_] - '0');
    // Exactly up to 2^63-1 (RFC 7162 mod-sequence-value 9223372036854775807 included).
    if (value > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) return error("Number too large");
    value = value * 10 + digit;
    ++pos_;
  }
  if (pos_ == start) return error("Expected a number");
  return value;
}

Result<uint32_t> SyntaxReader::number() {
  auto n = number64();
  if (!n) return n.error();
  if (*n > UINT32_MAX) return error("Number too large");
  return static_cast<uint32_t>(*n);
}

Result<uint32_t> SyntaxReader::nz_number() {
  auto n = number();
  if (n && *n == 0) return error("Zero is not allowed here");
  return n;
}

Result<uint64_t> SyntaxReader::mod_sequence() {
  auto n = number64();
  if (n && *n == 0) return error("Mod-sequence must be non-zero");
  return n;
}

Result<std::string> SyntaxReader::quoted() {
  ++pos_;  // opening DQUOTE
  std::string out;
  bool eight_bit = false;
  while (true) {
    if (at_end()) return error("Unterminated quoted string");
    char c = text_[pos_++];
    if (c == '"') break;
    if (c == '\\') {
      char e = peek();
      if (e != '"' && e != '\\') return error("Invalid escape in quoted string");
      ++pos_;
      out += e;
      continue;
    }
    if (c == '\r' || c == '\n' || c == '\0') return error("Invalid character in quoted string");
    if (static_cast<unsigned char>(c) >= 0x80) eight_bit = true;
    out += c;
  }
  // RFC 9051 §9 QUOTED-CHAR admits UTF-8, and nothing else 8-bit.
  if (eight_bit && !is_valid_utf8(out)) return error("Quoted string is not valid UTF-8");
  return out;
}

Result<std::string> SyntaxReader::literal() {
  ++pos_;  // '{'
  auto size = number64();
  if (!size) return size.error();
  consume('+');  // RFC 7888 non-synchronizing form; framing already handled it
  ROOST_TRY(expect('}'));
  if (!consume('\r') || !consume('\n')) return error("Literal must end its line");
  if (*size > text_.size() - pos_) return error("Literal is truncated");
  std::string out(text_.substr(pos_, *size));
  pos_ += *size;
  if (out.find('\0') != std::string::npos) return error("NUL in literal");  // CHAR8 excludes NUL
  return out;
}

Result<std::string> SyntaxReader::string() {
  if (peek() == '"') return quoted();
  if (peek() == '{') return literal();
  return error(at_end() ? "Missing argument" : "Expected a string");
}

Result<std::string> SyntaxReader::astring() {
  if (peek() == '"' || peek() == '{') return string();
  size_t start = pos_;
  while (!at_end() && is_astring_char(text_[pos_])) ++pos_;
  if (pos_ == start) return error(at_end() ? "Missing argument" : "Expected a string");
  return std::string(text_.substr(start, pos_ - start));
}

Result<std::optional<std::string>> SyntaxReader::nstring() {
  if (peek() != '"' && peek() != '{') {
    if (consume_word("NIL")) return std::optional<std::string>();
    return error("Expected a string or NIL");
  }
  auto s = string();
  if (!s) return s.error();
  return std::optional<std::string>(std::move(*s));
}

Result<std::string> SyntaxReader::decode_mailbox(std::string raw) const {
  std::string name;
  bool eight_bit = std::any_of(raw.begin(), raw.end(),
                               [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (utf8_names_ || eight_bit) {
    // RFC 6855 §3 / RFC 9051 §5.1: UTF-8 names; raw UTF-8 from rev1 clients is accepted too.
    if (!is_valid_utf8(raw)) return error("Mailbox name is not valid UTF-8");
    name = std::move(raw);
  } else {
    auto decoded = mutf7_decode(raw);
    if (!decoded) return error("Mailbox name is not valid modified UTF-7");
    name = std::move(*decoded);
  }
  if (iequals(name, "INBOX")) name = "INBOX";  // RFC 9051 §5.1: INBOX is case-insensitive
  return name;
}

Result<std::string> SyntaxReader::mailbox() {
  auto raw = astring();
  if (!raw) return raw;
  return decode_mailbox(std::move(*raw));
}

Result<std::string> SyntaxReader::list_mailbox() {
  if (peek() == '"' || peek() == '{') return mailbox();
  size_t start = pos_;
  while (!at_end() && is_list_char(text_[pos_])) ++pos_;
  if (pos_ == start) return error(at_end() ? "Missing argument" : "Expected a mailbox pattern");
  return decode_mailbox(std::string(text_.substr(start, pos_ - start)));
}

Result<SequenceSet> SyntaxReader::sequence_set() {
  size_t start = pos_;
  while (!at_end()) {
    char c = text_[pos_];
    if (!is_digit(c) && c != ':' && c != ',' && c != '*' && c != '$') break;
    ++pos_;
  }
  if (pos_ == start) return error(at_end() ? "Missing argument" : "Expected a sequence set");
  size_t budget = limits_.max_sequence_ranges > ranges_ ? limits_.max_sequence_ranges - ranges_ : 0;
  auto set = SequenceSet::parse(text_.substr(start, pos_ - start), budget);
  if (!set) {
    if (set.error().kind == ErrorKind::Limit) return set.error();
    return error("Invalid sequence set");
  }
  ranges_ += set->ranges().size();
  return set;
}

Result<std::string> SyntaxReader::flag() {
  bool system = consume('\\');
  auto a = atom();
  if (!a) return error("Invalid flag");
  return system ? "\\" + *a : *a;
}

Result<std::vector<std::string>> SyntaxReader::flag_list() {
  ROOST_TRY(open());
  std::vector<std::string> flags;
  while (!consume(')')) {
    if (!flags.empty()) ROOST_TRY(sp());
    auto f = flag();
    if (!f) return f.error();
    flags.push_back(std::move(*f));
  }
  --depth_;
  return flags;
}

Result<std::string> SyntaxReader::date_text() {
  if (peek() == '"') return quoted();
  return atom();
}

Status SyntaxReader::open() {
  if (!consume('(')) return error("Expected '('");
  if (++depth_ > limits_.max_nesting) {
    return make_error(ErrorKind::Limit, "Too deeply nested parentheses");
  }
  return ok();
}

Status SyntaxReader::close() {
  if (!consume(')')) return error("Expected ')'");
  if (depth_ > 0) --depth_;
  return ok();
}

}  // namespace roost::imap
