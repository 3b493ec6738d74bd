// parse(): one pass over the message bytes with an explicit stack of open parts, so
// nesting depth never grows the call stack (RFC 2046 §5.1, RFC 9051 §6.4.5 offsets).
#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mime/address.h"
#include "mime/content_type.h"
#include "mime/date_time.h"
#include "mime/encoded_word.h"
#include "mime/header_field.h"
#include "mime/message.h"
#include "mime/preview.h"

namespace roost::mime {
namespace {

// '\n' bytes in `s`: sixteen at a time with SSE2, else eight at a time in a 64-bit word
// (std::count does one per step at -O2; body line counts were 8% of parsing a 1 MiB message).
uint64_t count_newlines(std::string_view s) {
  uint64_t n = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  for (; i + 16 <= s.size(); i += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    n += static_cast<uint64_t>(
        __builtin_popcount(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline)))));
  }
#else
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    word ^= kOnes * '\n';  // newline bytes become zero
    // High bit set exactly in the zero bytes (no carry crosses a byte: (b & 0x7f) + 0x7f < 256).
    uint64_t zero = ~(((word & kLow7) + kLow7) | word | kLow7);
    n += ((zero >> 7) * kOnes) >> 56;  // sum of the eight 0/1 bytes
  }
#endif
  for (; i < s.size(); ++i) n += s[i] == '\n';
  return n;
}

constexpr size_t kNone = static_cast<size_t>(-1);
constexpr uint64_t kScanWindow = 8 << 20;  // bytes between two ScanProgress calls

// Raw (still folded) values of the fields one part's header contributes. Repeated fields
// (malformed, RFC 5322 §3.6 allows one each): the first Content-* field and the last Date,
// Subject, In-Reply-To and Message-ID count; address fields are joined (as Dovecot does).
struct PartHeader {
  std::string_view content_type, encoding, id, description, md5, disposition, language, location;
  std::string_view date, subject, in_reply_to, message_id;
  std::vector<std::string_view> from, sender, reply_to, to, cc, bcc;
};

// RFC 3282 Content-Language: comma-separated tags; comments (RFC 5322 §3.2.2) removed.
std::vector<std::string> parse_language_tags(std::string_view value) {
  std::vector<std::string> tags;
  std::string tag;
  int depth = 0;
  auto flush = [&] {
    std::string_view t = trim(tag);
    if (!t.empty()) tags.emplace_back(t);
    tag.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++depth;
      else if (c == ')')
        --depth;
    } else if (c == '(') {
      ++depth;
      tag.push_back(' ');
    } else if (c == ',') {
      flush();
    } else {
      tag.push_back(c);
    }
  }
  flush();
  return tags;
}

struct OpenPart {
  uint32_t part;
  uint32_t depth;
  std::string boundary;  // multipart delimiter text, empty when none
  bool live = false;     // boundary still matched (false once the close-delimiter is seen)
  bool digest = false;   // multipart/digest: children default to message/rfc822
};

bool is_type(const Part& p, std::string_view type) { return iequals(p.type, type); }

bool is_message_type(const Part& p) {
  return is_type(p, "message") && (iequals(p.subtype, "rfc822") || iequals(p.subtype, "global"));
}

void set_default_type(Part& p, bool digest_child) {
  if (digest_child) {  // RFC 2046 §5.1.5
    p.type = "message";
    p.subtype = "rfc822";
    p.params.clear();
  } else {  // RFC 2045 §5.2
    p.type = "text";
    p.subtype = "plain";
    p.params = {{"charset", "us-ascii"}};
  }
}

std::optional<std::string> unfolded(std::string_view raw) {
  if (raw.data() == nullptr) return std::nullopt;
  return unfold(raw);
}

class Parser {
 public:
  Parser(std::string_view in, const ParseLimits& limits, const ScanProgress& scanned)
      : in_(in), limits_(limits), scanned_(scanned) {}

  ParsedMessage run() {
    msg_.parts.emplace_back();
    begin_part(0, 0, 0, false, kNone);
    while (live_ > 0) {
      size_t line = cursor_;
      bool found = false;
      while (line < in_.size()) {
        if (in_[line] == '-') {
          size_t frame;
          bool close;
          if (match_boundary(line, frame, close)) {
            on_delimiter(line, frame, close);
            found = true;
            break;
          }
        }
        line = next_line(line);
        scanned_to(line);
      }
      if (!found) break;
    }
    close_frames_above(0, in_.size());
    finish();
    return std::move(msg_);
  }

 private:
  // Reports the delimiter scan's progress a window at a time.
  void scanned_to(size_t pos) {
    if (!scanned_ || pos < reported_ + kScanWindow) return;
    scanned_(reported_, pos - reported_);
    reported_ = pos;
  }

  size_t next_line(size_t pos) const {
    const void* nl = std::memchr(in_.data() + pos, '\n', in_.size() - pos);
    return nl ? static_cast<const char*>(nl) - in_.data() + 1 : in_.size();
  }

  // RFC 2046 §5.1.1: the CRLF before "--boundary" belongs to the delimiter.
  size_t delimiter_start(size_t line) const {
    if (line >= 2 && in_[line - 2] == '\r' && in_[line - 1] == '\n') return line - 2;
    if (line >= 1 && in_[line - 1] == '\n') return line - 1;
    return line;
  }

  // Longest live boundary that prefixes the line (as Dovecot: trailing junk tolerated).
  bool match_boundary(size_t line, size_t& frame, bool& close) const {
    if (line + 2 > in_.size() || in_[line] != '-' || in_[line + 1] != '-') return false;
    std::string_view rest = in_.substr(line + 2);
    size_t best_len = 0;
    frame = kNone;
    for (size_t k = stack_.size(); k-- > 0;) {
      const OpenPart& f = stack_[k];
      if (!f.live || (frame != kNone && f.boundary.size() <= best_len)) continue;
      if (rest.starts_with(f.boundary)) {
        frame = k;
        best_len = f.boundary.size();
      }
    }
    if (frame == kNone) return false;
    close = rest.substr(best_len).starts_with("--");
    return true;
  }

  void on_delimiter(size_t line, size_t frame, bool close) {
    close_frames_above(frame + 1, delimiter_start(line));
    OpenPart& f = stack_[frame];
    cursor_ = next_line(line);
    if (close) {
      f.live = false;  // what follows is the epilogue (RFC 2046 §5.1.1)
      --live_;
      return;
    }
    if (msg_.parts.size() >= limits_.max_parts) {
      f.live = false;  // fold the rest into this multipart's body
      --live_;
      msg_.truncated_nesting = true;
      return;
    }
    auto child = static_cast<uint32_t>(msg_.parts.size());
    msg_.parts.emplace_back();
    msg_.parts[f.part].children.push_back(child);
    begin_part(child, cursor_, f.depth + 1, f.digest, kNone);
  }

  // Pops open parts from the top down to stack_[first], ending their bodies at `end`.
  void close_frames_above(size_t first, size_t end) {
    while (stack_.size() > first) {
      OpenPart& f = stack_.back();
      Part& p = msg_.parts[f.part];
      size_t body_end = std::max<size_t>(end, p.body_offset);
      p.body_size = body_end - p.body_offset;
      if (f.live) --live_;
      bool multipart = !f.boundary.empty() || is_type(p, "multipart");
      uint32_t index = f.part;
      stack_.pop_back();
      if (multipart && p.children.empty()) add_empty_child(index, p.body_offset);
      Part& q = msg_.parts[index];
      if (is_type(q, "text") || (is_message_type(q) && !q.children.empty()))
        q.body_lines = count_lines(q.body_offset, q.body_size);
    }
  }

  // Dovecot's answer to a multipart without any delimiter: one empty text/plain child,
  // so BODYSTRUCTURE stays well-formed (RFC 9051 §7.5.2 needs at least one part).
  void add_empty_child(uint32_t parent, uint64_t offset) {
    auto child = static_cast<uint32_t>(msg_.parts.size());
    Part c;
    set_default_type(c, false);
    c.header_offset = c.body_offset = offset;
    msg_.parts.push_back(std::move(c));
    msg_.parts[parent].children.push_back(child);
  }

  // Line breaks, as Dovecot counts: a last line without one does not count. A large body is
  // counted a window at a time, each reported once read.
  uint64_t count_lines(uint64_t offset, uint64_t size) const {
    uint64_t lines = 0;
    for (uint64_t done = 0; done < size;) {
      uint64_t len = std::min<uint64_t>(size - done, kScanWindow);
      std::string_view piece = in_.substr(offset + done, len);
      lines += count_newlines(piece);
      if (scanned_ && size >= kScanWindow) scanned_(offset + done, len);
      done += len;
    }
    return lines;
  }

  // Reads the header at `start`, classifies the part and opens it; message/rfc822 parts
  // descend into their child here, iteratively.
  void begin_part(uint32_t index, size_t start, uint32_t depth, bool digest_child,
                  size_t envelope_owner) {
    while (true) {
      PartHeader h;
      bool hit_boundary = false;
      size_t body = scan_header(start, h, envelope_owner != kNone || index == 0, hit_boundary);
      Part& p = msg_.parts[index];
      p.header_offset = start;
      p.header_size = body - start;
      p.body_offset = body;
      apply_header(p, h, digest_child);
      if (index == 0 || envelope_owner != kNone) {
        Envelope env = build_envelope(h);
        if (envelope_owner == kNone)
          msg_.envelope = std::move(env);
        else
          msg_.parts[envelope_owner].envelope = std::move(env);
      }
      bool container = is_type(p, "multipart") || is_message_type(p);
      if (container && (depth + 1 >= limits_.max_depth || msg_.parts.size() >= limits_.max_parts)) {
        // Dovecot's rule: the max_depth-th level, or a part beyond max_parts, is one opaque
        // leaf (its parameters kept, as Dovecot shows them).
        p.type = "application";
        p.subtype = "octet-stream";
        msg_.truncated_nesting = true;
        container = false;
      }
      OpenPart f{index, depth, {}, false, false};
      if (container && is_type(p, "multipart")) {
        const std::string* b = find_param(p.params, "boundary");
        if (b) {  // RFC 2046 wants 1-70 characters, but Dovecot accepts "" too: so do we
          f.boundary = *b;
          f.live = true;
          ++live_;
        }
        f.digest = iequals(p.subtype, "digest");
      }
      stack_.push_back(std::move(f));
      cursor_ = hit_boundary ? cursor_ : body;
      if (!container || !is_message_type(msg_.parts[index])) return;
      auto child = static_cast<uint32_t>(msg_.parts.size());
      msg_.parts.emplace_back();
      msg_.parts[index].children.push_back(child);
      if (hit_boundary) {  // header ran into a delimiter: the message is empty
        Part& c = msg_.parts[child];
        c.header_offset = c.body_offset = body;
        msg_.parts[index].envelope = Envelope{};
        stack_.push_back(OpenPart{child, depth + 1, {}, false, false});
        return;
      }
      envelope_owner = index;
      index = child;
      start = body;
      depth += 1;
      digest_child = false;
    }
  }

  // Scans header lines from `start`; returns where the body starts. Stops at the blank
  // line, at a live delimiter (then the header keeps no CRLF of it) or at the end.
  size_t scan_header(size_t start, PartHeader& h, bool want_envelope, bool& hit_boundary) {
    size_t pos = start, field_begin = kNone;
    uint32_t fields = 0;
    auto emit = [&](size_t end) {
      if (field_begin == kNone) return;
      if (++fields <= limits_.max_header_fields)
        record_field(in_.substr(field_begin, end - field_begin), h, want_envelope);
      field_begin = kNone;
    };
    while (pos < in_.size()) {
      char c = in_[pos];
      size_t blank = 0;  // length of the blank line that starts at pos, if one does
      if (c == '\n')
        blank = 1;
      else if (c == '\r' && pos + 1 < in_.size() && in_[pos + 1] == '\n')
        blank = 2;
      if (blank > 0) {
        emit(pos);
        size_t next = pos + blank, frame;
        bool close;
        // RFC 2046 §5.1.1: a line break right before a delimiter is the delimiter's, so a leaf
        // ending there ("--b\r\nContent-Type: x\r\n\r\n--b") has no blank line of its own. (A
        // multipart's first delimiter may follow its header; its boundary is not live yet.)
        if (next < in_.size() && in_[next] == '-' && live_ > 0 &&
            match_boundary(next, frame, close) && !declares_multipart(h)) {
          hit_boundary = true;
          cursor_ = next;
          return pos;
        }
        return next;
      }
      size_t frame;
      bool close;
      if (c == '-' && live_ > 0 && match_boundary(pos, frame, close)) {
        size_t end = std::max(start, delimiter_start(pos));
        emit(end);
        hit_boundary = true;
        cursor_ = pos;
        return end;
      }
      if (c != ' ' && c != '\t') {
        emit(pos);
        field_begin = pos;
      }
      pos = next_line(pos);
    }
    emit(pos);
    return pos;  // RFC 5322 allows a message without body: all of it is header
  }

  static bool declares_multipart(const PartHeader& h) {
    return h.content_type.data() != nullptr &&
           iequals(parse_content_type(unfold(h.content_type)).type, "multipart");
  }

  static void record_field(std::string_view raw, PartHeader& h, bool want_envelope) {
    HeaderField f;
    if (!split_header_field(raw, f)) return;
    auto take = [&](std::string_view& slot) {
      if (slot.data() == nullptr) slot = f.value;  // the first occurrence wins
    };
    auto replace = [&](std::string_view& slot) { slot = f.value; };
    auto append = [&](std::vector<std::string_view>& slot) { slot.push_back(f.value); };
    std::string_view n = f.name;
    if (n.size() > 8 && iequals(n.substr(0, 8), "content-")) {
      std::string_view s = n.substr(8);
      if (iequals(s, "type"))
        take(h.content_type);
      else if (iequals(s, "transfer-encoding"))
        take(h.encoding);
      else if (iequals(s, "id"))
        take(h.id);
      else if (iequals(s, "description"))
        take(h.description);
      else if (iequals(s, "md5"))
        take(h.md5);
      else if (iequals(s, "disposition"))
        take(h.disposition);
      else if (iequals(s, "language"))
        take(h.language);
      else if (iequals(s, "location"))
        take(h.location);
      return;
    }
    if (!want_envelope) return;
    if (iequals(n, "date"))
      replace(h.date);
    else if (iequals(n, "subject"))
      replace(h.subject);
    else if (iequals(n, "from"))
      append(h.from);
    else if (iequals(n, "sender"))
      append(h.sender);
    else if (iequals(n, "reply-to"))
      append(h.reply_to);
    else if (iequals(n, "to"))
      append(h.to);
    else if (iequals(n, "cc"))
      append(h.cc);
    else if (iequals(n, "bcc"))
      append(h.bcc);
    else if (iequals(n, "in-reply-to"))
      replace(h.in_reply_to);
    else if (iequals(n, "message-id"))
      replace(h.message_id);
  }

  static void apply_header(Part& p, const PartHeader& h, bool digest_child) {
    ContentType ct;
    if (h.content_type.data() != nullptr) ct = parse_content_type(unfold(h.content_type));
    if (ct.valid()) {
      p.type = std::move(ct.type);
      p.subtype = std::move(ct.subtype);
      p.params = std::move(ct.params);
    } else {
      set_default_type(p, digest_child && h.content_type.data() == nullptr);
    }
    if (h.encoding.data() != nullptr) {
      std::string e = unfold(h.encoding);
      size_t cut = e.find_first_of(" \t(;");
      if (cut != std::string::npos) e.resize(cut);
      if (!e.empty()) p.encoding = std::move(e);
    }
    p.id = unfolded(h.id);
    p.description = unfolded(h.description);
    p.md5 = unfolded(h.md5);
    if (h.location.data() !=
        nullptr) {  // RFC 2557 §4.4.2: folding whitespace is not part of the URI
      std::string loc = unfold(h.location);
      std::erase_if(loc, [](char c) { return c == ' ' || c == '\t'; });
      p.location = std::move(loc);
    }
    if (h.disposition.data() != nullptr) {
      Disposition d = parse_disposition(unfold(h.disposition));
      if (!d.type.empty()) p.disposition = std::move(d);
    }
    if (h.language.data() != nullptr) p.language = parse_language_tags(unfold(h.language));
  }

  static Envelope build_envelope(const PartHeader& h) {
    Envelope e;
    e.date = unfolded(h.date);
    e.subject = unfolded(h.subject);
    auto list = [](const std::vector<std::string_view>& fields) {
      std::vector<Address> all;
      for (std::string_view raw : fields) {
        std::vector<Address> one = parse_address_list(unfold(raw));
        all.insert(all.end(), std::make_move_iterator(one.begin()),
                   std::make_move_iterator(one.end()));
      }
      return all;
    };
    e.from = list(h.from);
    e.sender = list(h.sender);
    e.reply_to = list(h.reply_to);
    e.to = list(h.to);
    e.cc = list(h.cc);
    e.bcc = list(h.bcc);
    // RFC 9051 §7.5.2: absent or empty Sender/Reply-To take the value of From.
    if (e.sender.empty()) e.sender = e.from;
    if (e.reply_to.empty()) e.reply_to = e.from;
    e.in_reply_to = unfolded(h.in_reply_to);
    e.message_id = unfolded(h.message_id);
    return e;
  }

  void finish() {
    const Envelope& e = msg_.envelope;
    if (e.subject) msg_.subject = decode_header_text(*e.subject);
    msg_.from = format_address_list(e.from);
    msg_.to = format_address_list(e.to);
    msg_.cc = format_address_list(e.cc);
    msg_.bcc = format_address_list(e.bcc);
    if (e.date) msg_.date_unix = parse_date(*e.date).value_or(-1);
    msg_.preview = make_preview(in_, msg_);
  }

  std::string_view in_;
  const ParseLimits& limits_;
  const ScanProgress& scanned_;
  uint64_t reported_ = 0;  // the delimiter scan reported everything before this
  ParsedMessage msg_;
  std::vector<OpenPart> stack_;
  size_t live_ = 0;    // open multiparts whose boundary is still matched
  size_t cursor_ = 0;  // next line start to examine for delimiters
};

}  // namespace

ParsedMessage parse(std::string_view message, const ParseLimits& limits,
                    const ScanProgress& scanned) {
  return Parser(message, limits, scanned).run();
}

}  // namespace roost::mime
