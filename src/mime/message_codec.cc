// serialize()/deserialize(): the compact form the store keeps beside each blob.
// Layout: "RMSG", version byte, then LEB128 varints and length-prefixed strings.
#include <cstring>

#include "mime/message.h"

namespace roost::mime {
namespace {

constexpr std::string_view kMagic = "RMSG";
constexpr uint8_t kVersion = 1;
constexpr size_t kMinPartBytes = 17;  // smallest encoding of one Part, bounds allocations

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      u8(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    u8(static_cast<uint8_t>(v));
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  void opt(const std::optional<std::string>& s) {
    u8(s ? 1 : 0);
    if (s) str(*s);
  }
  void params(const Params& ps) {
    varint(ps.size());
    for (const auto& [k, v] : ps) {
      str(k);
      str(v);
    }
  }
  void addresses(const std::vector<Address>& list) {
    varint(list.size());
    for (const auto& a : list) {
      u8(static_cast<uint8_t>((a.name ? 1 : 0) | (a.adl ? 2 : 0) | (a.mailbox ? 4 : 0) |
                              (a.host ? 8 : 0) | (a.is_group_start ? 16 : 0) |
                              (a.is_group_end ? 32 : 0)));
      for (const auto* s : {&a.name, &a.adl, &a.mailbox, &a.host}) {
        if (*s) str(**s);
      }
    }
  }
  void envelope(const Envelope& e) {
    opt(e.date);
    opt(e.subject);
    for (const auto* l : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) addresses(*l);
    opt(e.in_reply_to);
    opt(e.message_id);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every read checks bounds; the first failure sticks and turns the result into Corrupt.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  uint8_t u8() {
    if (!ok_ || pos_ >= in_.size()) return fail();
    return static_cast<uint8_t>(in_[pos_++]);
  }
  bool flag() {
    uint8_t v = u8();
    if (v > 1) fail();
    return v == 1;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      uint8_t b = u8();
      if (shift == 63 && b > 1) return fail();  // would overflow 64 bits
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }
  // A count of items each at least `min_bytes` long cannot exceed the bytes left.
  size_t count(size_t min_bytes = 1) {
    uint64_t n = varint();
    if (n > (in_.size() - pos_) / min_bytes) return fail();
    return static_cast<size_t>(n);
  }
  std::string str() {
    size_t n = count();
    if (!ok_) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> opt() {
    if (!flag()) return std::nullopt;
    return str();
  }
  Params params() {
    Params ps(count(2));
    for (auto& [k, v] : ps) {
      k = str();
      v = str();
    }
    return ps;
  }
  std::vector<Address> addresses() {
    std::vector<Address> list(count());
    for (auto& a : list) {
      uint8_t f = u8();
      if (f & 0xC0) fail();
      if (f & 1) a.name = str();
      if (f & 2) a.adl = str();
      if (f & 4) a.mailbox = str();
      if (f & 8) a.host = str();
      a.is_group_start = f & 16;
      a.is_group_end = f & 32;
      if (!ok_) break;
    }
    return list;
  }
  Envelope envelope() {
    Envelope e;
    e.date = opt();
    e.subject = opt();
    for (auto* l : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) *l = addresses();
    e.in_reply_to = opt();
    e.message_id = opt();
    return e;
  }
  uint8_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void write_part(Writer& w, const Part& p) {
  w.str(p.type);
  w.str(p.subtype);
  w.params(p.params);
  w.opt(p.id);
  w.opt(p.description);
  w.opt(p.md5);
  w.opt(p.location);
  w.str(p.encoding);
  w.u8(p.disposition ? 1 : 0);
  if (p.disposition) {
    w.str(p.disposition->type);
    w.params(p.disposition->params);
  }
  w.varint(p.language.size());
  for (const auto& l : p.language) w.str(l);
  for (uint64_t v : {p.header_offset, p.header_size, p.body_offset, p.body_size, p.body_lines})
    w.varint(v);
  w.varint(p.children.size());
  for (uint32_t c : p.children) w.varint(c);
  w.u8(p.envelope ? 1 : 0);
  if (p.envelope) w.envelope(*p.envelope);
}

void read_part(Reader& r, Part& p) {
  p.type = r.str();
  p.subtype = r.str();
  p.params = r.params();
  p.id = r.opt();
  p.description = r.opt();
  p.md5 = r.opt();
  p.location = r.opt();
  p.encoding = r.str();
  if (r.flag()) p.disposition = Disposition{r.str(), r.params()};
  p.language.resize(r.count());
  for (auto& l : p.language) l = r.str();
  for (uint64_t* v :
       {&p.header_offset, &p.header_size, &p.body_offset, &p.body_size, &p.body_lines})
    *v = r.varint();
  p.children.resize(r.count());
  for (auto& c : p.children) {
    uint64_t v = r.varint();
    if (v > UINT32_MAX) r.fail();
    c = static_cast<uint32_t>(v);
  }
  if (r.flag()) p.envelope = r.envelope();
}

// The parts must form a tree rooted at parts[0] with children after their parent, so
// readers can walk it without cycle checks; offsets must be consistent.
bool valid_tree(const ParsedMessage& m) {
  if (m.parts.empty()) return false;
  std::vector<bool> has_parent(m.parts.size(), false);
  for (size_t i = 0; i < m.parts.size(); ++i) {
    const Part& p = m.parts[i];
    if (p.header_offset > UINT64_MAX - p.header_size) return false;
    if (p.body_offset != p.header_offset + p.header_size) return false;
    if (p.body_offset > UINT64_MAX - p.body_size) return false;
    for (uint32_t c : p.children) {
      if (c <= i || c >= m.parts.size() || has_parent[c]) return false;
      has_parent[c] = true;
    }
  }
  for (size_t i = 1; i < m.parts.size(); ++i) {
    if (!has_parent[i]) return false;
  }
  return true;
}

}  // namespace

std::string serialize(const ParsedMessage& m) {
  Writer w;
  for (char c : kMagic) w.u8(static_cast<uint8_t>(c));
  w.u8(kVersion);
  w.envelope(m.envelope);
  w.varint(m.parts.size());
  for (const auto& p : m.parts) write_part(w, p);
  // Zigzag keeps -1 ("no date") one byte long.
  w.varint((static_cast<uint64_t>(m.date_unix) << 1) ^ static_cast<uint64_t>(m.date_unix >> 63));
  for (const auto* s : {&m.subject, &m.from, &m.to, &m.cc, &m.bcc, &m.preview}) w.str(*s);
  w.u8(m.truncated_nesting ? 1 : 0);
  return w.take();
}

Result<ParsedMessage> deserialize(std::string_view bytes) {
  auto corrupt = [](std::string detail) {
    return make_error(ErrorKind::Corrupt, "stored message structure is damaged", std::move(detail));
  };
  if (bytes.size() < kMagic.size() + 1 || bytes.substr(0, kMagic.size()) != kMagic)
    return corrupt("bad magic");
  if (static_cast<uint8_t>(bytes[kMagic.size()]) != kVersion) return corrupt("unknown version");
  Reader r(bytes.substr(kMagic.size() + 1));
  ParsedMessage m;
  m.envelope = r.envelope();
  m.parts.resize(r.count(kMinPartBytes));
  for (auto& p : m.parts) {
    read_part(r, p);
    if (!r.ok()) break;
  }
  uint64_t z = r.varint();
  m.date_unix = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  for (auto* s : {&m.subject, &m.from, &m.to, &m.cc, &m.bcc, &m.preview}) *s = r.str();
  m.truncated_nesting = r.flag();
  if (!r.ok()) return corrupt("truncated or malformed field");
  if (!r.at_end()) return corrupt("trailing bytes");
  if (!valid_tree(m)) return corrupt("inconsistent part tree");
  return m;
}

}  // namespace roost::mime
