#include "imap/engine/message_section.h"

#include "mime/header_field.h"

namespace roost::imap {
namespace {

bool is_multipart(const mime::Part& p) { return mime::iequals(p.type, "multipart"); }

bool is_message(const mime::Part& p) {
  return mime::iequals(p.type, "message") &&
         (mime::iequals(p.subtype, "rfc822") || mime::iequals(p.subtype, "global")) &&
         !p.children.empty();
}

std::string_view clamp(std::string_view message, uint64_t offset, uint64_t size) {
  if (offset >= message.size()) return {};
  return message.substr(offset, size);
}

// The field name of a header line ("Subject" of "Subject : x"), trimmed.
std::string_view field_name(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  return mime::trim(line.substr(0, colon));
}

}  // namespace

std::string_view part_header(std::string_view message, const mime::Part& part) {
  return clamp(message, part.header_offset, part.header_size);
}

std::string_view part_body(std::string_view message, const mime::Part& part) {
  return clamp(message, part.body_offset, part.body_size);
}

std::optional<uint32_t> find_part(const mime::ParsedMessage& parsed,
                                  std::span<const uint32_t> numbers) {
  if (parsed.parts.empty()) return std::nullopt;
  uint32_t entity = 0;  // the entity whose body the next number indexes
  for (size_t i = 0; i < numbers.size(); ++i) {
    const mime::Part& p = parsed.parts[entity];
    uint32_t n = numbers[i];
    uint32_t next;
    if (is_multipart(p)) {
      if (n == 0 || n > p.children.size()) return std::nullopt;
      next = p.children[n - 1];
    } else if (n == 1) {
      next = entity;  // RFC 9051 §6.4.5: a non-multipart message has only part 1, its body
    } else {
      return std::nullopt;
    }
    if (next >= parsed.parts.size()) return std::nullopt;
    if (i + 1 < numbers.size()) {
      const mime::Part& q = parsed.parts[next];
      // Numbers below a message/rfc822 part address its encapsulated message's body.
      if (is_message(q))
        entity = q.children[0];
      else if (is_multipart(q) && next != entity)
        entity = next;
      else
        return std::nullopt;
      if (entity >= parsed.parts.size()) return std::nullopt;
    } else {
      return next;
    }
  }
  return 0;
}

std::optional<uint32_t> find_message_root(const mime::ParsedMessage& parsed,
                                          std::span<const uint32_t> numbers) {
  if (parsed.parts.empty()) return std::nullopt;
  if (numbers.empty()) return 0;
  auto part = find_part(parsed, numbers);
  if (!part) return std::nullopt;
  const mime::Part& p = parsed.parts[*part];
  if (!is_message(p) || p.children[0] >= parsed.parts.size()) return std::nullopt;
  return p.children[0];
}

std::string filter_header(std::string_view header, const std::vector<std::string>& upper_names,
                          bool exclude) {
  std::string out;
  // Lines that name no field (no colon, or a continuation before any field) are kept only by
  // HEADER.FIELDS.NOT, as Dovecot does: they are not among the fields the client excluded.
  bool keep = exclude;
  bool blank_line = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    size_t next = eol == std::string_view::npos ? header.size() : eol + 1;
    std::string_view line = header.substr(pos, next - pos);
    if (line == "\r\n" || line == "\n") {  // the blank line ending the header
      blank_line = true;
      break;
    }
    if (line[0] != ' ' && line[0] != '\t') {
      std::string_view name = field_name(line);
      bool named = false;
      for (const std::string& want : upper_names) named = named || mime::iequals(want, name);
      keep = named != exclude;
    }
    if (keep) {
      out.append(line);
      if (line.back() != '\n') out += "\r\n";  // a last field without a line break
    }
    pos = next;
  }
  // RFC 9051 §6.4.5: the blank line is included in all header fetches, except for a message
  // that has no body and no blank line.
  if (blank_line) out += "\r\n";
  return out;
}

std::optional<SectionBytes> section_bytes(std::string_view message,
                                          const mime::ParsedMessage& parsed,
                                          const SectionSpec& section) {
  using Text = SectionSpec::Text;
  SectionBytes out;
  if (section.text == Text::None || section.text == Text::Mime) {
    if (section.part.empty()) {
      if (section.text == Text::Mime) return std::nullopt;  // MIME needs a part number
      out.view = message;
      return out;
    }
    auto part = find_part(parsed, section.part);
    if (!part) return std::nullopt;
    const mime::Part& p = parsed.parts[*part];
    out.view = section.text == Text::Mime ? part_header(message, p) : part_body(message, p);
    return out;
  }
  auto root = find_message_root(parsed, section.part);
  if (!root) return std::nullopt;
  const mime::Part& r = parsed.parts[*root];
  switch (section.text) {
    case Text::Header:
      out.view = part_header(message, r);
      break;
    case Text::Text:
      out.view = part_body(message, r);
      break;
    default:
      out.owned = filter_header(part_header(message, r), section.fields,
                                section.text == Text::HeaderFieldsNot);
      break;
  }
  return out;
}

}  // namespace roost::imap
