#include "imap/engine/message_text.h"

#include <vector>

#include "imap/engine/message_section.h"
#include "mime/charset.h"
#include "mime/content_type.h"
#include "mime/encoded_word.h"
#include "mime/header_field.h"
#include "mime/preview.h"
#include "mime/transfer_encoding.h"

namespace roost::imap {
namespace {

constexpr size_t kMaxWalk = 100000;  // guards against cyclic children in corrupt stored data

bool is_message(const mime::Part& p) {
  return mime::iequals(p.type, "message") && !p.children.empty();
}

}  // namespace

std::string decoded_part_text(std::string_view message, const mime::Part& part) {
  std::string_view body = part_body(message, part);
  std::string decoded;
  if (!mime::decode_body(part.encoding, body, decoded) &&
      mime::transfer_encoding_from_name(part.encoding) == mime::TransferEncoding::Unknown)
    decoded.assign(body);  // unknown CTE: search what is there
  std::string utf8;
  const std::string* charset = mime::find_param(part.params, "charset");
  if (!charset || !mime::convert_to_utf8(*charset, decoded, utf8)) {
    utf8.clear();
    mime::append_unlabeled(decoded, utf8);
  }
  if (mime::iequals(part.subtype, "html")) return mime::html_to_text(utf8);
  return utf8;
}

std::string header_text(std::string_view header) {
  std::string out;
  mime::for_each_header_field(header, [&](const mime::HeaderField& f) {
    out.append(f.name);
    out += ": ";
    mime::append_decoded_header_text(mime::unfold(f.value), out);
    out += '\n';
  });
  return out;
}

std::string body_text(std::string_view message, const mime::ParsedMessage& parsed) {
  std::string out;
  if (parsed.parts.empty()) return out;
  std::vector<uint32_t> stack{0};
  size_t visited = 0;
  while (!stack.empty() && ++visited < kMaxWalk) {
    uint32_t index = stack.back();
    stack.pop_back();
    if (index >= parsed.parts.size()) continue;
    const mime::Part& p = parsed.parts[index];
    if (is_message(p)) {  // the attached message's header is body text of the outer one
      uint32_t root = p.children[0];
      if (root < parsed.parts.size()) out += header_text(part_header(message, parsed.parts[root]));
    }
    if (!p.children.empty()) {
      for (size_t i = p.children.size(); i-- > 0;) stack.push_back(p.children[i]);
      continue;
    }
    if (!mime::iequals(p.type, "text")) continue;
    out += decoded_part_text(message, p);
    out += '\n';
  }
  return out;
}

}  // namespace roost::imap
