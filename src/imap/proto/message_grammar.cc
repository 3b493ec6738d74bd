// FETCH, STORE, COPY and MOVE arguments (RFC 9051 §6.4.5-§6.4.8, RFC 3516, RFC 7162, RFC 8474,
// RFC 8514, RFC 8970).
#include <utility>

#include "imap/proto/command_grammar.h"

namespace roost::imap::grammar {
namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

// The fetch-att name up to '[', '(', SP or ')': letters, digits and dots.
std::string fetch_word(SyntaxReader& r) {
  std::string word;
  while (is_name_char(r.peek()) && !r.at_end()) {
    word += r.peek();
    r.set_pos(r.pos() + 1);
  }
  return to_upper(word);
}

Result<std::vector<uint32_t>> section_part(SyntaxReader& r) {
  std::vector<uint32_t> part;
  while (r.peek() >= '0' && r.peek() <= '9') {
    auto n = r.nz_number();
    if (!n) return n.error();
    part.push_back(*n);
    if (r.peek() != '.') break;
    r.set_pos(r.pos() + 1);
    if (r.peek() < '0' || r.peek() > '9') {  // the '.' introduces section-text
      r.set_pos(r.pos() - 1);
      break;
    }
  }
  return part;
}

Result<SectionSpec> section(SyntaxReader& r, bool binary) {
  SectionSpec spec;
  ROOST_TRY(r.expect('['));
  auto part = section_part(r);
  if (!part) return part.error();
  spec.part = std::move(*part);
  if (binary) {  // RFC 3516 §4.2: section-binary = "[" [section-part] "]"
    ROOST_TRY(r.expect(']'));
    return spec;
  }
  bool dotted = false;
  if (!spec.part.empty() && r.peek() != ']') {
    ROOST_TRY(r.expect('.'));
    dotted = true;  // "1.]" is not a section: a section-text must follow
  }
  if (dotted || r.peek() != ']') {
    std::string word = fetch_word(r);
    using T = SectionSpec::Text;
    if (word == "HEADER") {
      spec.text = T::Header;
    } else if (word == "HEADER.FIELDS") {
      spec.text = T::HeaderFields;
    } else if (word == "HEADER.FIELDS.NOT") {
      spec.text = T::HeaderFieldsNot;
    } else if (word == "TEXT") {
      spec.text = T::Text;
    } else if (word == "MIME" && !spec.part.empty()) {  // MIME only after a part number
      spec.text = T::Mime;
    } else {
      return r.error("Invalid section");
    }
    if (spec.text == T::HeaderFields || spec.text == T::HeaderFieldsNot) {
      ROOST_TRY(r.sp());
      ROOST_TRY(r.open());
      do {
        auto field = r.astring();
        if (!field) return field.error();
        spec.fields.push_back(to_upper(*field));
      } while (r.consume(' '));
      ROOST_TRY(r.close());
    }
  }
  ROOST_TRY(r.expect(']'));
  return spec;
}

Result<std::optional<Partial>> partial(SyntaxReader& r) {
  if (!r.consume('<')) return std::optional<Partial>();
  Partial p;
  auto offset = r.number64();
  if (!offset) return offset.error();
  p.offset = *offset;
  ROOST_TRY(r.expect('.'));  // RFC 9051 §9: partial = "<" number64 "." nz-number64 ">"
  auto length = r.number64();
  if (!length) return length.error();
  if (*length == 0) return r.error("Partial length must be non-zero");
  p.length = *length;
  ROOST_TRY(r.expect('>'));
  return std::optional<Partial>(p);
}

Status fetch_item(SyntaxReader& r, std::vector<FetchItem>& items) {
  using T = FetchItemType;
  std::string word = fetch_word(r);
  static constexpr std::pair<std::string_view, T> kSimple[] = {
      {"FLAGS", T::Flags},
      {"INTERNALDATE", T::InternalDate},
      {"RFC822", T::Rfc822},
      {"RFC822.HEADER", T::Rfc822Header},
      {"RFC822.SIZE", T::Rfc822Size},
      {"RFC822.TEXT", T::Rfc822Text},
      {"ENVELOPE", T::Envelope},
      {"BODYSTRUCTURE", T::BodyStructure},
      {"UID", T::Uid},
      {"MODSEQ", T::ModSeq},
      {"SAVEDATE", T::SaveDate},
      {"EMAILID", T::EmailId},
      {"THREADID", T::ThreadId},
  };
  for (const auto& [name, type] : kSimple) {
    if (word == name) {
      items.push_back(FetchItem{type, false, {}, {}, false});
      return ok();
    }
  }
  FetchItem item;
  if (word == "PREVIEW") {
    item.type = T::Preview;
    // RFC 8970 §3: PREVIEW (LAZY); any other "(" is the FETCH modifier list.
    if (iequals(r.rest().substr(0, 7), " (LAZY)")) {
      r.set_pos(r.pos() + 7);
      item.lazy = true;
    }
  } else if (word == "BODY" && r.peek() != '[') {
    item.type = T::Body;
  } else if (word == "BODY" || word == "BODY.PEEK" || word == "BINARY" || word == "BINARY.PEEK" ||
             word == "BINARY.SIZE") {
    bool binary = word.starts_with("BINARY");
    item.type = word == "BINARY.SIZE" ? T::BinarySize : binary ? T::BinarySection : T::BodySection;
    item.peek = word.ends_with(".PEEK");
    auto spec = section(r, binary);
    if (!spec) return spec.error();
    item.section = std::move(*spec);
    if (item.type != T::BinarySize) {
      auto p = partial(r);
      if (!p) return p.error();
      item.partial = *p;
    }
  } else {
    return r.error(word.empty() ? "Missing FETCH attribute" : "Unknown FETCH attribute " + word);
  }
  items.push_back(std::move(item));
  return ok();
}

void add_macro(std::vector<FetchItem>& items, std::initializer_list<FetchItemType> types) {
  for (FetchItemType t : types) items.push_back(FetchItem{t, false, {}, {}, false});
}

}  // namespace

Result<CommandArgs> parse_fetch(SyntaxReader& r, bool uid) {
  using T = FetchItemType;
  FetchArgs args;
  ROOST_TRY(r.sp());
  auto set = r.sequence_set();
  if (!set) return set.error();
  args.set = std::move(*set);
  ROOST_TRY(r.sp());
  // RFC 9051 §6.4.5: ALL, FAST and FULL are macros and only valid alone.
  if (r.consume_word("ALL")) {
    add_macro(args.items, {T::Flags, T::InternalDate, T::Rfc822Size, T::Envelope});
  } else if (r.consume_word("FAST")) {
    add_macro(args.items, {T::Flags, T::InternalDate, T::Rfc822Size});
  } else if (r.consume_word("FULL")) {
    add_macro(args.items, {T::Flags, T::InternalDate, T::Rfc822Size, T::Envelope, T::Body});
  } else if (r.peek() == '(') {
    ROOST_TRY(r.open());
    do {
      ROOST_TRY(fetch_item(r, args.items));
    } while (r.consume(' '));
    ROOST_TRY(r.close());
  } else {
    ROOST_TRY(fetch_item(r, args.items));
  }
  if (r.consume(' ')) {  // fetch-modifiers, RFC 7162 §3.1.4 and §3.2.6
    ROOST_TRY(r.open());
    do {
      if (r.consume_word("CHANGEDSINCE")) {
        ROOST_TRY(r.sp());
        // RFC 7162 §3.1.4 asks for a mod-sequence-value (non-zero); 0 is taken as "every
        // message", as Dovecot does, rather than failing a client that starts from nothing.
        auto modseq = r.number64();
        if (!modseq) return modseq.error();
        args.changed_since = *modseq;
      } else if (r.consume_word("VANISHED")) {
        args.vanished = true;
      } else {
        return r.error("Unknown FETCH modifier");
      }
    } while (r.consume(' '));
    ROOST_TRY(r.close());
  }
  ROOST_TRY(r.end());
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH and only with CHANGEDSINCE.
  if (args.vanished && (!uid || !args.changed_since)) {
    return r.error("VANISHED needs UID FETCH and CHANGEDSINCE");
  }
  return args;
}

Result<CommandArgs> parse_store(SyntaxReader& r) {
  StoreArgs args;
  ROOST_TRY(r.sp());
  auto set = r.sequence_set();
  if (!set) return set.error();
  args.set = std::move(*set);
  ROOST_TRY(r.sp());
  if (r.peek() == '(') {  // RFC 7162 §3.1.3: "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
    ROOST_TRY(r.open());
    if (!r.consume_word("UNCHANGEDSINCE")) return r.error("Unknown STORE modifier");
    ROOST_TRY(r.sp());
    auto modseq = r.number64();
    if (!modseq) return modseq.error();
    args.unchanged_since = *modseq;
    ROOST_TRY(r.close());
    ROOST_TRY(r.sp());
  }
  if (r.consume('+')) {
    args.mode = StoreArgs::Mode::Add;
  } else if (r.consume('-')) {
    args.mode = StoreArgs::Mode::Remove;
  }
  if (r.consume_word("FLAGS")) {
    args.silent = false;
  } else if (r.consume_word("FLAGS.SILENT")) {
    args.silent = true;
  } else {
    return r.error("Expected FLAGS, +FLAGS or -FLAGS");
  }
  ROOST_TRY(r.sp());
  if (r.peek() == '(') {
    auto flags = r.flag_list();
    if (!flags) return flags.error();
    args.flags = std::move(*flags);
  } else {
    do {
      auto f = r.flag();
      if (!f) return f.error();
      args.flags.push_back(std::move(*f));
    } while (r.consume(' '));
  }
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_copy(SyntaxReader& r) {
  CopyArgs args;
  ROOST_TRY(r.sp());
  auto set = r.sequence_set();
  if (!set) return set.error();
  args.set = std::move(*set);
  ROOST_TRY(r.sp());
  auto name = r.mailbox();
  if (!name) return name.error();
  args.mailbox = std::move(*name);
  ROOST_TRY(r.end());
  return args;
}

}  // namespace roost::imap::grammar
