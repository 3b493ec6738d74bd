// Compares our ENVELOPE and BODYSTRUCTURE for tests/data/corpus/*.eml with Dovecot 2.3's answers
// (dovecot-reference.json) structurally and prints a summary by category of difference. It does
// not fail on differences yet: Dovecot is a reference, not the spec (see the corpus README).
#include <gtest/gtest.h>

#include <boost/json/src.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "imap/proto/body_structure.h"
#include "mime/header_field.h"
#include "mime/transfer_encoding.h"

namespace roost::imap {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A parsed IMAP response value: list, string (quoted or literal), NIL or atom/number.
struct Value {
  enum class Kind { List, String, Nil, Atom } kind = Kind::Nil;
  std::string text;
  std::vector<Value> items;
};

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool at_end() const { return p_ >= s_.size(); }
  Value read() {
    while (p_ < s_.size() && s_[p_] == ' ') ++p_;
    Value v;
    if (p_ >= s_.size()) return v;
    char c = s_[p_];
    if (c == '(') {
      v.kind = Value::Kind::List;
      ++p_;
      while (p_ < s_.size() && s_[p_] != ')') {
        v.items.push_back(read());
        while (p_ < s_.size() && s_[p_] == ' ') ++p_;
      }
      ++p_;
    } else if (c == '"') {
      v.kind = Value::Kind::String;
      for (++p_; p_ < s_.size() && s_[p_] != '"'; ++p_) {
        if (s_[p_] == '\\') ++p_;
        v.text += s_[p_];
      }
      ++p_;
    } else if (c == '{' || c == '~') {
      v.kind = Value::Kind::String;
      size_t close = s_.find('}', p_);
      size_t n = std::stoul(std::string(s_.substr(p_ + (c == '~' ? 2 : 1), close)));
      p_ = close + 3;  // "}\r\n"
      v.text = std::string(s_.substr(p_, n));
      p_ += n;
    } else {
      size_t end = s_.find_first_of(" ()", p_);
      if (end == std::string_view::npos) end = s_.size();
      v.text = std::string(s_.substr(p_, end - p_));
      v.kind = v.text == "NIL" ? Value::Kind::Nil : Value::Kind::Atom;
      p_ = end;
    }
    return v;
  }

 private:
  std::string_view s_;
  size_t p_ = 0;
};

std::string show(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Nil:
      return "NIL";
    case Value::Kind::Atom:
      return v.text;
    case Value::Kind::String:
      return "\"" + v.text.substr(0, 40) + (v.text.size() > 40 ? "…" : "") + "\"";
    case Value::Kind::List: {
      std::string out = "(";
      for (const Value& i : v.items) {
        if (out.size() > 60) return out + " …)";
        out += (out.size() > 1 ? " " : "") + show(i);
      }
      return out + ")";
    }
  }
  return {};
}

constexpr const char* kEnvelopeFields[] = {"date", "subject", "from", "sender",      "reply-to",
                                           "to",   "cc",      "bcc",  "in-reply-to", "message-id"};
constexpr const char* kAddressFields[] = {"name", "adl", "mailbox", "host"};

// Field name of item i of a body (RFC 9051 §7.5.2 body-type-1part / body-type-mpart).
std::string body_field(const Value& body, size_t i) {
  size_t kids = 0;
  while (kids < body.items.size() && body.items[kids].kind == Value::Kind::List) ++kids;
  if (kids > 0) {  // multipart
    if (i < kids) return "part";
    static const char* kM[] = {"subtype", "params", "disposition", "language", "location"};
    return i - kids < 5 ? kM[i - kids] : "ext";
  }
  static const char* k1[] = {"type", "subtype", "params", "id", "description", "encoding", "size"};
  if (i < 7) return k1[i];
  bool text = !body.items.empty() && mime::iequals(body.items[0].text, "text");
  bool message =
      body.items.size() > 1 && mime::iequals(body.items[0].text, "message") &&
      (mime::iequals(body.items[1].text, "rfc822") || mime::iequals(body.items[1].text, "global"));
  std::vector<std::string> rest;
  if (text) rest = {"lines"};
  if (message) rest = {"envelope", "body", "lines"};
  for (const char* e : {"md5", "disposition", "language", "location"}) rest.push_back(e);
  return i - 7 < rest.size() ? rest[i - 7] : "ext";
}

bool case_only(const std::string& a, const std::string& b) { return a != b && mime::iequals(a, b); }

enum class Ctx { Envelope, AddressList, Address, Body, Other };

using Diffs = std::vector<std::pair<std::string, std::string>>;  // category, detail

// Every difference, each labelled by the field it is in (RFC 9051 §7.5.2 names).
void diff(const Value& ours, const Value& theirs, Ctx ctx, const std::string& where, Diffs& out) {
  auto detail = [&] { return "ours " + show(ours) + " | dovecot " + show(theirs); };
  if (ours.kind != theirs.kind) {
    auto kind = [](const Value& v) {
      return v.kind == Value::Kind::Nil ? "NIL" : v.kind == Value::Kind::List ? "list" : "value";
    };
    out.emplace_back(where + ": " + kind(ours) + " vs " + kind(theirs), detail());
    return;
  }
  if (ours.kind != Value::Kind::List) {
    if (ours.text != theirs.text)
      out.emplace_back(where + (case_only(ours.text, theirs.text) ? ": case only" : ": text"),
                       detail());
    return;
  }
  if (ours.items.size() != theirs.items.size()) {
    out.emplace_back(where + ": list length", detail());
    if (ctx == Ctx::Body || ctx == Ctx::AddressList) return;  // fields would not line up
  }
  size_t n = std::min(ours.items.size(), theirs.items.size());
  for (size_t i = 0; i < n; ++i) {
    switch (ctx) {
      case Ctx::Envelope: {
        std::string field = std::string("envelope.") + (i < 10 ? kEnvelopeFields[i] : "?");
        diff(ours.items[i], theirs.items[i], i >= 2 && i <= 7 ? Ctx::AddressList : Ctx::Other,
             field, out);
        break;
      }
      case Ctx::AddressList:
        diff(ours.items[i], theirs.items[i], Ctx::Address, where, out);
        break;
      case Ctx::Address:
        diff(ours.items[i], theirs.items[i], Ctx::Other, where + "." + kAddressFields[i % 4], out);
        break;
      case Ctx::Body: {
        std::string field = body_field(ours, i);
        Ctx sub = field == "part" || field == "body" ? Ctx::Body
                  : field == "envelope"              ? Ctx::Envelope
                                                     : Ctx::Other;
        diff(ours.items[i], theirs.items[i], sub, sub == Ctx::Other ? "body." + field : "body",
             out);
        break;
      }
      case Ctx::Other:
        diff(ours.items[i], theirs.items[i], Ctx::Other, where, out);
        break;
    }
  }
}

struct Tally {
  int equal = 0, equal_ignoring_case = 0;
  std::map<std::string, std::vector<std::string>> categories;  // category → "file: detail"
  void add(const std::string& file, const Diffs& diffs) {
    if (diffs.empty()) ++equal;
    bool only_case = true;
    std::set<std::string> seen;
    for (const auto& [category, detail] : diffs) {
      only_case = only_case && category.ends_with("case only");
      if (seen.insert(category).second) categories[category].push_back(file + ": " + detail);
    }
    if (only_case) ++equal_ignoring_case;
  }
  void print(const char* what) const {
    for (const auto& [category, examples] : categories) {
      std::cout << "[ dovecot ] " << what << " " << examples.size() << "x " << category << "\n";
      for (size_t i = 0; i < examples.size() && i < (getenv("DOVECOT_ALL") ? 100 : 3); ++i)
        std::cout << "[ dovecot ]     " << examples[i] << "\n";
    }
  }
};

TEST(DovecotReference, EnvelopeAndBodyStructure) {
  const std::string dir = std::string(ROOST_TEST_DATA_DIR) + "/corpus/";
  std::string json = read_file(dir + "dovecot-reference.json");
  ASSERT_FALSE(json.empty());
  boost::json::object messages = boost::json::parse(json).as_object().at("messages").as_object();
  Tally envelopes, structures;
  int total = 0;
  for (const auto& [name, entry] : messages) {
    const auto& obj = entry.as_object();
    std::string wire;
    if (auto* t = obj.if_contains("text"))
      wire = std::string(t->as_string());
    else if (auto* b = obj.if_contains("base64"))
      mime::decode_base64(std::string(b->as_string()), wire);
    else
      continue;
    ++total;
    // "* n FETCH (ENVELOPE (...) BODYSTRUCTURE (...))"
    Reader reader(std::string_view(wire).substr(wire.find('(')));
    Value fetch = reader.read();
    Value env, body;
    for (size_t i = 0; i + 1 < fetch.items.size(); i += 2) {
      if (fetch.items[i].text == "ENVELOPE") env = fetch.items[i + 1];
      if (fetch.items[i].text == "BODYSTRUCTURE") body = fetch.items[i + 1];
    }
    std::string bytes = read_file(dir + std::string(name));
    mime::ParsedMessage parsed = mime::parse(bytes);
    std::string ours_env, ours_body;
    write_envelope(ours_env, parsed.envelope);
    write_body_structure(ours_body, parsed, 0, true);
    Diffs env_diffs, body_diffs;
    diff(Reader(ours_env).read(), env, Ctx::Envelope, "envelope", env_diffs);
    diff(Reader(ours_body).read(), body, Ctx::Body, "body", body_diffs);
    envelopes.add(std::string(name), env_diffs);
    structures.add(std::string(name), body_diffs);
  }
  std::cout << "[ dovecot ] " << envelopes.equal << "/" << total << " ENVELOPE equal, "
            << structures.equal << "/" << total << " BODYSTRUCTURE equal ("
            << structures.equal_ignoring_case << "/" << total << " ignoring case)\n";
  envelopes.print("ENVELOPE");
  structures.print("BODYSTRUCTURE");
  EXPECT_EQ(total, 280);
}

}  // namespace
}  // namespace roost::imap
