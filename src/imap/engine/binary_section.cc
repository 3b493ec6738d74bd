#include "imap/engine/binary_section.h"

#include <algorithm>

#include "imap/engine/message_section.h"
#include "mime/header_field.h"
#include "mime/transfer_encoding.h"

namespace roost::imap {
namespace {

bool is_encoding_field(std::string_view line) {
  size_t colon = line.find(':');
  return colon != std::string_view::npos &&
         mime::iequals(mime::trim(line.substr(0, colon)), "Content-Transfer-Encoding");
}

// The header without its Content-Transfer-Encoding fields (continuations included) and with
// "Content-Transfer-Encoding: binary" last, before the blank line.
void append_binary_header(std::string_view header, std::string& out) {
  std::string_view blank_line;
  bool skip = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    size_t next = eol == std::string_view::npos ? header.size() : eol + 1;
    std::string_view line = header.substr(pos, next - pos);
    if (line == "\r\n" || line == "\n") {
      blank_line = header.substr(pos);
      break;
    }
    if (line[0] != ' ' && line[0] != '\t') skip = is_encoding_field(line);
    if (!skip) out.append(line);
    pos = next;
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";  // a last field without a line break
  out += "Content-Transfer-Encoding: binary\r\n";
  out.append(blank_line);
}

class BinaryWriter {
 public:
  BinaryWriter(std::string_view message, const mime::ParsedMessage& parsed)
      : message_(message), parsed_(parsed), budget_(parsed.parts.size()) {}

  // False for an unknown encoding.
  bool add(uint32_t index, bool include_header) {
    // Each part is visited once; corrupt stored data with a cycle runs out of budget.
    if (index >= parsed_.parts.size() || budget_ == 0) return true;
    --budget_;
    const mime::Part& p = parsed_.parts[index];
    mime::TransferEncoding encoding = mime::transfer_encoding_from_name(p.encoding);
    if (encoding == mime::TransferEncoding::Unknown) return false;
    // RFC 2045 §6.4: a multipart is never encoded, whatever its header says: nothing to decode,
    // its header stays as written and its parts are walked.
    bool decode = (encoding == mime::TransferEncoding::Base64 ||
                   encoding == mime::TransferEncoding::QuotedPrintable) &&
                  !mime::iequals(p.type, "multipart");
    if (include_header) {
      if (decode)
        append_binary_header(part_header(message_, p), out_.text_tail());
      else
        append_view(part_header(message_, p));
    }
    // A message/rfc822 body sent encoded (RFC 2046 §5.2.1 forbids it) was parsed from the
    // encoded text: decode the whole body rather than walk that.
    if (p.children.empty() || decode) {
      std::string_view body = part_body(message_, p);
      if (decode)
        mime::decode_body(p.encoding, body, out_.text_tail());
      else
        append_view(body);
      return true;
    }
    // Parts with parts: what lies between the children (delimiters, preamble) as stored.
    uint64_t end = p.body_offset + p.body_size;
    uint64_t cursor = p.body_offset;
    for (uint32_t child : p.children) {
      if (child >= parsed_.parts.size()) continue;
      const mime::Part& c = parsed_.parts[child];
      copy(cursor, c.header_offset);
      if (!add(child, true)) return false;
      cursor = std::max(cursor, c.body_offset + c.body_size);
    }
    copy(cursor, end);
    return true;
  }

  SlicedBytes take() { return std::move(out_); }

 private:
  void copy(uint64_t from, uint64_t to) {
    to = std::min<uint64_t>(to, message_.size());
    if (from < to) out_.append_slice(from, to - from);
  }
  void append_view(std::string_view part) {  // a view into message_
    if (part.empty()) return;
    out_.append_slice(static_cast<uint64_t>(part.data() - message_.data()), part.size());
  }

  std::string_view message_;
  const mime::ParsedMessage& parsed_;
  size_t budget_;
  SlicedBytes out_;
};

}  // namespace

std::optional<SlicedBytes> binary_entity_slices(std::string_view message,
                                                const mime::ParsedMessage& parsed, uint32_t index,
                                                bool include_header) {
  BinaryWriter writer(message, parsed);
  if (!writer.add(index, include_header)) return std::nullopt;
  return writer.take();
}

std::optional<std::string> binary_entity(std::string_view message,
                                         const mime::ParsedMessage& parsed, uint32_t index,
                                         bool include_header) {
  auto slices = binary_entity_slices(message, parsed, index, include_header);
  if (!slices) return std::nullopt;
  return slices->flatten(message);
}

}  // namespace roost::imap
