#include "imap/engine/fetch_renderer.h"

#include <algorithm>

#include "imap/engine/binary_section.h"
#include "imap/engine/message_section.h"
#include "imap/proto/body_structure.h"
#include "mime/header_field.h"
#include "mime/transfer_encoding.h"

namespace roost::imap {
namespace {

using Text = SectionSpec::Text;

bool is_container(const mime::Part& p) {
  return mime::iequals(p.type, "multipart") || !p.children.empty();
}

// "1.2.HEADER.FIELDS (FROM TO)" as the response echoes it (RFC 9051 §7.5.2 BODY[<section>]).
void write_section(std::string& out, const SectionSpec& s) {
  for (size_t i = 0; i < s.part.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(s.part[i]);
  }
  if (s.text == Text::None) return;
  if (!s.part.empty()) out += '.';
  switch (s.text) {
    case Text::Header:
      out += "HEADER";
      break;
    case Text::Text:
      out += "TEXT";
      break;
    case Text::Mime:
      out += "MIME";
      break;
    case Text::HeaderFields:
    case Text::HeaderFieldsNot: {
      out += s.text == Text::HeaderFields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (i > 0) out += ' ';
        write_astring(out, s.fields[i]);
      }
      out += ')';
      break;
    }
    case Text::None:
      break;
  }
}

// The pieces of one response as it is written: text goes to the last text piece, slices and
// large owned stretches are pieces of their own.
class PieceWriter {
 public:
  PieceWriter() = default;
  // Text goes into *first until the first slice or large owned piece; pieces after that.
  explicit PieceWriter(std::string* first) : first_(first) {}
  std::string& text() {
    if (first_ && pieces_.empty()) return *first_;
    if (pieces_.empty() || pieces_.back().slice || sealed_) {
      pieces_.emplace_back();
      sealed_ = false;
    }
    return pieces_.back().text;
  }
  void slice(uint64_t offset, uint64_t length, bool nul_to_0x80) {
    FetchPiece p;
    p.slice = true;
    p.offset = offset;
    p.length = length;
    p.nul_to_0x80 = nul_to_0x80;
    pieces_.push_back(std::move(p));
  }
  // Moved, not copied, when large (a decoded BINARY body): the session sends it in pieces.
  void owned(std::string data) {
    if (data.size() < kOwnedPiece) {
      text() += data;
      return;
    }
    FetchPiece p;
    p.text = std::move(data);
    pieces_.push_back(std::move(p));
    sealed_ = true;
  }
  RenderedFetch take() { return RenderedFetch{std::move(pieces_)}; }

 private:
  static constexpr size_t kOwnedPiece = 64 << 10;
  std::string* first_ = nullptr;
  std::vector<FetchPiece> pieces_;
  bool sealed_ = false;  // the last piece is a large owned one: text starts a new piece
};

// Windows of the NUL scan of a large slice; each is reported to FetchInput::scanned.
constexpr uint64_t kScanWindow = 8 << 20;

bool slice_has_nul(const FetchInput& in, uint64_t offset, uint64_t length, bool report) {
  if (!report || !in.scanned)
    return in.bytes.substr(offset, length).find('\0') != std::string_view::npos;
  uint64_t end = offset + length;
  for (uint64_t pos = offset; pos < end;) {
    uint64_t next = std::min(end, (pos / kScanWindow + 1) * kScanWindow);
    if (in.bytes.substr(pos, next - pos).find('\0') != std::string_view::npos) return true;
    in.scanned(pos, next - pos);
    pos = next;
  }
  return false;
}

bool has_nul(const FetchInput& in, const SlicedBytes& data, bool big) {
  for (const SlicedBytes::Segment& s : data.segments()) {
    bool found = s.slice ? slice_has_nul(in, s.offset, s.length, big)
                         : s.text.find('\0') != std::string::npos;
    if (found) return true;
  }
  return false;
}

// Message data always goes out as a literal; an empty one as "". NUL is only allowed in literal8
// (RFC 3516 §4.1): BODY[] replaces it with 0x80 as Dovecot does, BINARY[] switches to ~{n}.
// A literal of min_slice bytes or more keeps its slices (FetchOptions::min_slice).
void write_data(PieceWriter& w, const FetchInput& in, SlicedBytes data, bool binary,
                const FetchOptions& options) {
  if (data.empty()) {
    w.text() += "\"\"";
    return;
  }
  bool big = data.size() >= options.min_slice;
  bool nul = has_nul(in, data, big);
  bool replace = nul && !binary;
  std::string& out = w.text();
  out += (nul && binary) ? "~{" : "{";
  out += std::to_string(data.size());
  out += "}\r\n";
  if (!big) {
    size_t start = out.size();
    for (const SlicedBytes::Segment& s : data.segments())
      out.append(s.slice ? in.bytes.substr(s.offset, s.length) : std::string_view(s.text));
    if (replace) std::replace(out.begin() + start, out.end(), '\0', '\x80');
    return;
  }
  for (SlicedBytes::Segment& s : data.segments()) {
    if (s.slice) {
      w.slice(s.offset, s.length, replace);
      continue;
    }
    if (replace) std::replace(s.text.begin(), s.text.end(), '\0', '\x80');
    w.owned(std::move(s.text));
  }
}

// RFC 9051 §7.5.2: "<origin>" only, the length is implied by the string.
SlicedBytes apply_partial(SlicedBytes data, const std::optional<Partial>& partial) {
  if (!partial) return data;
  return data.substr(partial->offset, partial->length);
}

// The decoded content of a part for BINARY (RFC 3516 §4.2); nullopt for "no such part". Stored
// bytes stay slices of the message; a base64 or quoted-printable body, however large, is decoded
// into memory once (there is no streaming decoder yet).
Result<std::optional<SlicedBytes>> binary_content(const FetchInput& in, const SectionSpec& s) {
  auto unknown_cte = [] {
    return make_error(ErrorKind::Corrupt, "Unknown Content-Transfer-Encoding",
                      std::string(kUnknownCte));
  };
  if (s.part.empty() && in.parsed->parts.empty())
    return std::optional<SlicedBytes>(SlicedBytes::of_view(in.bytes, in.bytes));
  auto index = s.part.empty() ? std::optional<uint32_t>(0) : find_part(*in.parsed, s.part);
  if (!index) return std::optional<SlicedBytes>();
  const mime::Part& p = in.parsed->parts[*index];
  // The whole message, or a part with parts: every part below it decoded (binary_section.h).
  if (s.part.empty() || is_container(p)) {
    auto entity = binary_entity_slices(in.bytes, *in.parsed, *index, s.part.empty());
    if (!entity) return unknown_cte();
    return std::optional<SlicedBytes>(std::move(*entity));
  }
  switch (mime::transfer_encoding_from_name(p.encoding)) {
    case mime::TransferEncoding::Unknown:
      return unknown_cte();
    case mime::TransferEncoding::Identity:
      return std::optional<SlicedBytes>(SlicedBytes::of_view(in.bytes, part_body(in.bytes, p)));
    default:
      break;
  }
  SlicedBytes decoded;
  mime::decode_body(p.encoding, part_body(in.bytes, p), decoded.text_tail());
  return std::optional<SlicedBytes>(std::move(decoded));
}

void write_body_section(PieceWriter& w, const FetchInput& in, const FetchItem& item,
                        const FetchOptions& options) {
  std::string& out = w.text();
  out += "BODY[";
  write_section(out, item.section);
  out += ']';
  if (item.partial) out += "<" + std::to_string(item.partial->offset) + ">";
  out += ' ';
  SlicedBytes data;
  if (auto bytes = section_bytes(in.bytes, *in.parsed, item.section)) {
    if (bytes->owned.empty())
      data = SlicedBytes::of_view(in.bytes, bytes->view);
    else
      data.append_text(bytes->owned);
  }
  write_data(w, in, apply_partial(std::move(data), item.partial), false, options);
}

Status write_binary(PieceWriter& w, const FetchInput& in, const FetchItem& item,
                    const FetchOptions& options) {
  auto content = binary_content(in, item.section);
  if (!content) return content.error();
  SlicedBytes data = *content ? std::move(**content) : SlicedBytes();
  std::string& out = w.text();
  if (item.type == FetchItemType::BinarySize) {
    out += "BINARY.SIZE[";
    write_section(out, item.section);
    out += "] " + std::to_string(data.size());
    return ok();
  }
  out += "BINARY[";
  write_section(out, item.section);
  out += ']';
  if (item.partial) out += "<" + std::to_string(item.partial->offset) + ">";
  out += ' ';
  write_data(w, in, apply_partial(std::move(data), item.partial), true, options);
  return ok();
}

std::string_view root_header(const FetchInput& in) {
  return in.parsed->parts.empty() ? std::string_view() : part_header(in.bytes, in.parsed->parts[0]);
}

std::string_view root_body(const FetchInput& in) {
  return in.parsed->parts.empty() ? std::string_view() : part_body(in.bytes, in.parsed->parts[0]);
}

SlicedBytes whole(const FetchInput& in) { return SlicedBytes::of_view(in.bytes, in.bytes); }

Status write_item(PieceWriter& w, const FetchInput& in, const FetchItem& item,
                  const FetchOptions& options) {
  const store::MessageEntry& e = *in.entry;
  std::string& out = w.text();  // valid until write_data() adds a piece, which ends each case
  switch (item.type) {
    case FetchItemType::Flags:
      out += "FLAGS ";
      write_flags(out, e.flags);
      break;
    case FetchItemType::InternalDate:
      out += "INTERNALDATE ";
      write_date_time(out, DateTime{e.internal_date, e.internal_date_tz});
      break;
    case FetchItemType::Rfc822:
      out += "RFC822 ";
      write_data(w, in, whole(in), false, options);
      break;
    case FetchItemType::Rfc822Header:
      out += "RFC822.HEADER ";
      write_data(w, in, SlicedBytes::of_view(in.bytes, root_header(in)), false, options);
      break;
    case FetchItemType::Rfc822Text:
      out += "RFC822.TEXT ";
      write_data(w, in, SlicedBytes::of_view(in.bytes, root_body(in)), false, options);
      break;
    case FetchItemType::Rfc822Size:
      out += "RFC822.SIZE " + std::to_string(e.blob.size);
      break;
    case FetchItemType::Envelope:
      out += "ENVELOPE ";
      write_envelope(out, in.parsed->envelope, options.style);
      break;
    case FetchItemType::Body:
    case FetchItemType::BodyStructure: {
      bool ext = item.type == FetchItemType::BodyStructure;
      out += ext ? "BODYSTRUCTURE " : "BODY ";
      write_body_structure(out, *in.parsed, 0, ext, options.style);
      break;
    }
    case FetchItemType::BodySection:
      write_body_section(w, in, item, options);
      break;
    case FetchItemType::BinarySection:
    case FetchItemType::BinarySize:
      return write_binary(w, in, item, options);
    case FetchItemType::Uid:
      out += "UID ";
      out += std::to_string(e.uid);
      break;
    case FetchItemType::ModSeq:
      out += "MODSEQ (" + std::to_string(e.modseq) + ")";
      break;
    case FetchItemType::SaveDate:
      out += "SAVEDATE ";
      // RFC 8514 §4.3: NIL when the save date is unknown.
      if (e.save_date == 0)
        out += "NIL";
      else
        write_date_time(out, DateTime{e.save_date, 0});
      break;
    case FetchItemType::EmailId:
      out += "EMAILID (" + email_id(e.blob) + ")";
      break;
    case FetchItemType::ThreadId:
      out += "THREADID NIL";
      break;  // RFC 8474 §5.2: no thread ids
    case FetchItemType::Preview:
      out += "PREVIEW ";
      write_string(out, in.parsed->preview, options.style);
      break;
  }
  return ok();
}

}  // namespace

FetchNeeds fetch_needs(const std::vector<FetchItem>& items) {
  FetchNeeds needs;
  for (const FetchItem& item : items) {
    switch (item.type) {
      case FetchItemType::Envelope:
      case FetchItemType::Body:
      case FetchItemType::BodyStructure:
      case FetchItemType::Preview:
        needs.parsed = true;
        break;
      case FetchItemType::Rfc822:
        needs.bytes = true;
        break;
      case FetchItemType::Rfc822Header:
      case FetchItemType::Rfc822Text:
      case FetchItemType::BodySection:
      case FetchItemType::BinarySection:
      case FetchItemType::BinarySize:
        needs.parsed = needs.bytes = true;
        break;
      default:
        break;
    }
  }
  return needs;
}

bool sets_seen(const std::vector<FetchItem>& items) {
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    switch (i.type) {
      case FetchItemType::Rfc822:
      case FetchItemType::Rfc822Text:
        return true;
      case FetchItemType::BodySection:
      case FetchItemType::BinarySection:
        return !i.peek;
      default:
        return false;
    }
  });
}

bool is_unknown_cte(const Error& error) { return error.detail == kUnknownCte; }

std::string email_id(const store::BlobRef& blob) {
  return "M" + blob.id.substr(0, std::min<size_t>(24, blob.id.size()));
}

std::string mailbox_object_id(store::MailboxId id) { return "F" + std::to_string(id); }

void write_flags(std::string& out, const store::Flags& flags) {
  static constexpr std::pair<uint32_t, std::string_view> kSystem[] = {
      {store::kSeen, "\\Seen"},
      {store::kAnswered, "\\Answered"},
      {store::kFlagged, "\\Flagged"},
      {store::kDeleted, "\\Deleted"},
      {store::kDraft, "\\Draft"}};
  // Written in place (FETCH 1:* FLAGS renders a million of these): no list of names.
  out += '(';
  bool first = true;
  auto add = [&](std::string_view name) {
    if (!first) out += ' ';
    first = false;
    out += name;
  };
  for (const auto& [bit, name] : kSystem) {
    if (flags.system & bit) add(name);
  }
  for (const std::string& keyword : flags.keywords) add(keyword);
  out += ')';
}

bool RenderedFetch::has_slices() const {
  return std::any_of(pieces.begin(), pieces.end(), [](const FetchPiece& p) { return p.slice; });
}

uint64_t RenderedFetch::size() const {
  uint64_t size = 0;
  for (const FetchPiece& p : pieces) size += p.size();
  return size;
}

std::string RenderedFetch::flatten(std::string_view message) const {
  std::string out;
  out.reserve(size());
  for (const FetchPiece& p : pieces) {
    if (!p.slice) {
      out += p.text;
      continue;
    }
    size_t start = out.size();
    out.append(message.substr(p.offset, p.length));
    if (p.nul_to_0x80) std::replace(out.begin() + start, out.end(), '\0', '\x80');
  }
  return out;
}

namespace {

// The response into `w`: "* <seq> FETCH (<items>)\r\n".
Status write_fetch(PieceWriter& w, const FetchInput& input, const std::vector<FetchItem>& items,
                   const FetchOptions& options) {
  std::string& start = w.text();
  start += "* ";
  start += std::to_string(input.seq);
  start += " FETCH (";
  bool has_flags = false, has_uid = false, has_modseq = false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) w.text() += ' ';
    has_flags = has_flags || items[i].type == FetchItemType::Flags;
    has_uid = has_uid || items[i].type == FetchItemType::Uid;
    has_modseq = has_modseq || items[i].type == FetchItemType::ModSeq;
    ROOST_TRY(write_item(w, input, items[i], options));
  }
  bool written = !items.empty();
  auto add = [&](FetchItemType type) {
    if (written) w.text() += ' ';
    written = true;
    FetchItem item;
    item.type = type;
    return write_item(w, input, item, options);
  };
  // RFC 9051 §6.4.5: report the \Seen we just set.
  if (options.add_flags && !has_flags) ROOST_TRY(add(FetchItemType::Flags));
  if (options.add_uid && !has_uid) ROOST_TRY(add(FetchItemType::Uid));
  if (options.add_modseq && !has_modseq) ROOST_TRY(add(FetchItemType::ModSeq));
  w.text() += ")\r\n";
  return ok();
}

}  // namespace

Result<RenderedFetch> render_fetch_pieces(const FetchInput& input,
                                          const std::vector<FetchItem>& items,
                                          const FetchOptions& options) {
  PieceWriter w;
  ROOST_TRY(write_fetch(w, input, items, options));
  return w.take();
}

Status append_fetch(std::string& out, const FetchInput& input, const std::vector<FetchItem>& items,
                    const FetchOptions& options) {
  // Text goes straight into `out` (FETCH 1:* FLAGS renders a million of these); what comes after
  // a slice or a large owned piece is appended from the pieces.
  PieceWriter w(&out);
  ROOST_TRY(write_fetch(w, input, items, options));
  RenderedFetch rest = w.take();
  if (!rest.pieces.empty()) out += rest.flatten(input.bytes);
  return ok();
}

Result<std::string> render_fetch(const FetchInput& input, const std::vector<FetchItem>& items,
                                 const FetchOptions& options) {
  auto pieces = render_fetch_pieces(input, items, options);
  if (!pieces) return pieces.error();
  if (pieces->pieces.size() == 1 && !pieces->pieces[0].slice)
    return std::move(pieces->pieces[0].text);  // the usual case: no copy
  return pieces->flatten(input.bytes);
}

}  // namespace roost::imap
