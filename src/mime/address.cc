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
    while (i_ < s_.size()) {
      skip_cfws();
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == ',') {
        ++i_;
      } else if (c == ';') {
        ++i_;
        if (in_group_) end_group();
      } else {
        parse_one();
      }
    }
    if (in_group_) end_group();  // unterminated group
    return std::move(out_);
  }

 private:
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

  // One atom or quoted string, unquoted.
  void read_word(std::string& out) {
    if (s_[i_] == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out.push_back(s_[i_++]);
      }
      if (i_ < s_.size()) ++i_;
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

  void parse_one() {
    last_comment_.clear();
    std::string phrase, local;
    while (true) {
      skip_cfws();
      if (!at_word()) break;
      std::string word;
      read_word(word);
      if (!phrase.empty()) phrase.push_back(' ');
      phrase += word;
      local += word;
    }
    char c = i_ < s_.size() ? s_[i_] : '\0';
    if (c == '<') {
      ++i_;
      parse_angle(phrase);
    } else if (c == ':' && !in_group_) {
      ++i_;
      Address a;
      a.mailbox = phrase;  // RFC 9051 §7.5.2: group start has NIL host, name in mailbox
      a.is_group_start = true;
      out_.push_back(std::move(a));
      in_group_ = true;
    } else if (c == '@') {
      ++i_;
      Address a;
      a.mailbox = std::move(local);
      a.host = read_domain();
      if (a.host->empty()) a.host = std::string(kMissingDomain);
      skip_cfws();
      if (!last_comment_.empty()) a.name = last_comment_;  // "addr (Real Name)"
      out_.push_back(std::move(a));
    } else if (!phrase.empty()) {  // bare local part without a domain
      Address a;
      a.mailbox = std::move(local);
      a.host = std::string(kMissingDomain);
      if (!last_comment_.empty()) a.name = last_comment_;
      out_.push_back(std::move(a));
    } else if (i_ < s_.size() && c != ',' && c != ';') {
      ++i_;  // stray special or control byte (NUL too): skip it so the loop always advances
    }
  }

  // After '<': optional obs-route "@a,@b:", addr-spec, then up to '>'.
  void parse_angle(const std::string& phrase) {
    Address a;
    if (!phrase.empty())
      a.name = phrase;
    else if (!last_comment_.empty())
      a.name = last_comment_;
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == '@' && !route_search_exhausted_) {  // RFC 5322 §4.4
      size_t colon = s_.find_first_of(":>", i_);
      route_search_exhausted_ = colon == std::string_view::npos;  // keeps "<@<@<@" linear
      if (colon != std::string_view::npos && s_[colon] == ':') {
        std::string route;
        for (size_t k = i_; k < colon; ++k) {
          char c = s_[k];
          if (c != ' ' && c != '\t' && c != '\r' && c != '\n') route.push_back(c);
        }
        a.adl = std::move(route);
        i_ = colon + 1;
      }
    }
    std::string local;
    while (true) {
      skip_cfws();
      if (!at_word()) break;
      read_word(local);
    }
    bool has_at = i_ < s_.size() && s_[i_] == '@';
    std::string host;
    if (has_at) {
      ++i_;
      host = read_domain();
    }
    while (i_ < s_.size() && s_[i_] != '>' && s_[i_] != ',' && s_[i_] != ';') ++i_;
    if (i_ < s_.size() && s_[i_] == '>') ++i_;
    if (local.empty() && !has_at) {  // "<>": null address
      a.mailbox = std::string();
      a.host = std::string();
    } else {
      a.mailbox = std::move(local);
      a.host = host.empty() ? std::string(kMissingDomain) : std::move(host);
    }
    out_.push_back(std::move(a));
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
  bool route_search_exhausted_ = false;
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
    if (a.host && !a.host->empty() && *a.host != kMissingDomain) addr += "@" + *a.host;
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
