#include "mime/address.h"

#include "mime/encoded_word.h"
#include "mime/header_field.h"

namespace roost::mime {
namespace {

bool is_special(char c) {  // RFC 5322 §3.2.3 specials, minus '.' (obs-phrase allows it)
  switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '[':
    case ']':
    case ':':
    case ';':
    case '@':
    case '\\':
    case ',':
    case '"':
      return true;
    default:
      return false;
  }
}

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && !is_special(c);  // 8-bit bytes tolerated (RFC 6532)
}

class AddressListParser {
 public:
  explicit AddressListParser(std::string_view s) : s_(s) {}

  std::vector<Address> run() {
    while (true) {
      skip_cfws();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == ',') {  // empty list member (RFC 5322 §4.4 obs-addr-list)
        ++i_;
        continue;
      }
      if (c == ';' && in_group_) {  // empty group "Name:;"
        ++i_;
        end_group();
        if (!next_member()) break;
        continue;
      }
      Outcome o = parse_one();
      if (o == Outcome::kStop || (o == Outcome::kMember && !next_member())) break;
    }
    if (in_group_) end_group();  // unterminated group
    return std::move(out_);
  }

 private:
  enum class Outcome { kMember, kGroupStart, kStop };

  // After a member: ',' goes on, ';' closes an open group (then a ',' is due); anything else
  // is a syntax error that ends the list, as in Dovecot: reading on would invent addresses
  // out of junk (e.g. header lines glued to From by a bare CR).
  bool next_member() {
    while (true) {
      skip_cfws();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        return true;
      }
      if (s_[i_] != ';' || !in_group_) return false;
      ++i_;
      end_group();
    }
  }

  // Whitespace and comments; keeps the text of the last top-level comment.
  void skip_cfws() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (c == '(') {
        read_comment();
      } else {
        break;
      }
    }
  }

  void read_comment() {
    int depth = 0;
    std::string text;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        text.push_back(s_[i_++]);
        continue;
      }
      if (c == '(') {
        if (depth++ > 0) text.push_back(c);
      } else if (c == ')') {
        if (--depth == 0) break;
        text.push_back(c);
      } else {
        text.push_back(c);
      }
    }
    last_comment_.assign(trim(text));
  }

  bool at_word() const { return i_ < s_.size() && (s_[i_] == '"' || is_atom_char(s_[i_])); }

  // One atom or quoted string, unquoted. An unterminated quote sets broken_quote_.
  void read_word(std::string& out) {
    if (s_[i_] == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out.push_back(s_[i_++]);
      }
      if (i_ < s_.size())
        ++i_;
      else
        broken_quote_ = true;
      return;
    }
    size_t b = i_;
    while (i_ < s_.size() && is_atom_char(s_[i_])) ++i_;
    out.append(s_.substr(b, i_ - b));
  }

  // RFC 5322 §3.4.1 domain (dot-atom or domain literal), §4.4 obs-domain with CFWS.
  std::string read_domain() {
    std::string d;
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == '[') {
      size_t close = s_.find(']', i_);
      size_t end = close == std::string_view::npos ? s_.size() : close + 1;
      for (size_t k = i_; k < end; ++k) {
        if (s_[k] != ' ' && s_[k] != '\t' && s_[k] != '\r' && s_[k] != '\n') d.push_back(s_[k]);
      }
      i_ = end;
      return d;
    }
    while (i_ < s_.size() && is_atom_char(s_[i_])) {
      read_word(d);
      skip_cfws();
      if (d.empty() || d.back() != '.') {
        if (i_ < s_.size() && s_[i_] == '.') continue;
        break;
      }
    }
    return d;
  }

  // Dovecot's placeholder for an address whose syntax is too broken to recover parts of.
  void add_broken(std::optional<std::string> name = std::nullopt) {
    Address a;
    a.name = std::move(name);
    a.mailbox = std::string(kMissingMailbox);
    a.host = std::string(kMissingDomain);
    out_.push_back(std::move(a));
  }

  Outcome parse_one() {
    last_comment_.clear();
    std::string phrase, local;
    int words = 0;
    while (true) {
      skip_cfws();
      if (!at_word()) break;
      std::string word;
      read_word(word);
      ++words;
      if (!phrase.empty()) phrase.push_back(' ');
      phrase += word;
      local += word;
    }
    if (broken_quote_) {  // the quote ran to the end: nothing trustworthy is left
      add_broken();
      return Outcome::kStop;
    }
    char c = i_ < s_.size() ? s_[i_] : '\0';
    if (c == '<') {
      ++i_;
      return parse_angle(phrase);
    }
    if (c == ':' && !in_group_) {
      ++i_;
      Address a;
      a.mailbox = phrase;  // RFC 9051 §7.5.2: group start has NIL host, name in mailbox
      a.is_group_start = true;
      out_.push_back(std::move(a));
      in_group_ = true;
      return Outcome::kGroupStart;
    }
    if (c == '@') {
      ++i_;
      Address a;
      a.mailbox = words == 0 ? std::string(kMissingMailbox) : std::move(local);
      a.host = read_domain();
      if (a.host->empty()) a.host = std::string(kMissingDomain);
      skip_cfws();
      if (!last_comment_.empty()) a.name = last_comment_;  // "addr (Real Name)"
      out_.push_back(std::move(a));
      return Outcome::kMember;
    }
    if (words == 0) return Outcome::kStop;  // a stray special or control byte: syntax error
    Address a;                              // bare local part without a domain
    a.mailbox = std::move(local);
    a.host = std::string(kMissingDomain);
    if (!last_comment_.empty()) a.name = last_comment_;
    out_.push_back(std::move(a));
    return Outcome::kMember;
  }

  // After '<': optional obs-route "@a,@b:", addr-spec, then '>'.
  Outcome parse_angle(const std::string& phrase) {
    Address a;
    if (!phrase.empty())
      a.name = phrase;
    else if (!last_comment_.empty())
      a.name = last_comment_;
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == '@') {  // RFC 5322 §4.4
      size_t stop = s_.find_first_of(":>", i_);
      if (stop == std::string_view::npos || s_[stop] == '>') {  // a route without its ':'
        i_ = stop == std::string_view::npos ? s_.size() : stop + 1;
        a.adl = std::string(kInvalidRoute);
        a.mailbox = std::string(kMissingMailbox);
        a.host = std::string(kMissingDomain);
        out_.push_back(std::move(a));
        return Outcome::kMember;
      }
      std::string route;
      for (size_t k = i_; k < stop; ++k) {
        char c = s_[k];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') route.push_back(c);
      }
      a.adl = std::move(route);
      i_ = stop + 1;
    }
    std::string local;
    int words = 0;
    while (true) {
      skip_cfws();
      if (!at_word()) break;
      read_word(local);
      ++words;
    }
    if (broken_quote_) {
      add_broken(std::move(a.name));
      return Outcome::kStop;
    }
    bool has_at = i_ < s_.size() && s_[i_] == '@';
    std::string host;
    if (has_at) {
      ++i_;
      host = read_domain();
    }
    skip_cfws();
    bool closed = i_ < s_.size() && s_[i_] == '>';
    if (closed) ++i_;
    if (words == 0 && !has_at && closed) {  // "<>": null address
      a.mailbox = std::string();
      a.host = std::string();
    } else {
      a.mailbox = words == 0 ? std::string(kMissingMailbox) : std::move(local);
      a.host = host.empty() ? std::string(kMissingDomain) : std::move(host);
      if (!closed) a.host = std::string(kSyntaxError);  // as Dovecot: "<a@b" lacks its '>'
    }
    out_.push_back(std::move(a));
    return Outcome::kMember;
  }

  void end_group() {
    Address a;
    a.is_group_end = true;
    out_.push_back(std::move(a));
    in_group_ = false;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool in_group_ = false;
  bool broken_quote_ = false;
  std::string last_comment_;
  std::vector<Address> out_;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  return AddressListParser(value).run();
}

std::string format_address_list(const std::vector<Address>& addresses) {
  std::string out;
  for (const auto& a : addresses) {
    if (a.is_group_start || a.is_group_end) continue;
    if (!out.empty()) out += ", ";
    std::string name = a.name ? decode_header_text(*a.name) : std::string();
    std::string addr = a.mailbox.value_or("");
    if (a.host && !a.host->empty() && *a.host != kMissingDomain && *a.host != kSyntaxError)
      addr += "@" + *a.host;
    if (!name.empty()) {
      out += name;
      out += " <" + addr + ">";
    } else {
      out += addr;
    }
  }
  return out;
}

}  // namespace roost::mime
