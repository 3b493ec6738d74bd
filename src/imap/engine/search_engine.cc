#include "imap/engine/search_engine.h"

#include <algorithm>
#include <optional>

#include "imap/engine/fetch_renderer.h"
#include "imap/engine/message_section.h"
#include "imap/engine/message_text.h"
#include "imap/engine/text_fold.h"
#include "imap/proto/date_time.h"
#include "mime/encoded_word.h"
#include "mime/header_field.h"

namespace roost::imap {

using K = SearchKeyType;

// What a key reads, cheapest first; And/Or evaluate children in this order. A HEADER key reads
// the header block the index keeps (Header), a body key the parsed message and the blob (Body).
enum class Cost { Entry = 0, Header = 1, Parsed = 2, Body = 3 };

struct SearchProgram::Node {
  SearchKeyType type = K::All;
  std::vector<Node> children;
  SequenceSet set;
  std::string needle;  // folded text argument
  std::string header_name;
  int64_t day = 0;  // days since 1970 of a date argument
  uint64_t number = 0;
  Cost cost = Cost::Entry;
};

namespace {

using Node = SearchProgram::Node;

Cost leaf_cost(K type) {
  switch (type) {
    case K::Bcc:
    case K::Cc:
    case K::From:
    case K::Subject:
    case K::To:
    case K::SentBefore:
    case K::SentOn:
    case K::SentSince:
      return Cost::Parsed;
    case K::Header:
      return Cost::Header;
    case K::Body:
    case K::Text:
      return Cost::Body;
    default:
      return Cost::Entry;
  }
}

// The header field an address or SUBJECT key reads, or nullptr.
const char* envelope_field(K type) {
  switch (type) {
    case K::From:
      return "From";
    case K::To:
      return "To";
    case K::Cc:
      return "Cc";
    case K::Bcc:
      return "Bcc";
    case K::Subject:
      return "Subject";
    default:
      return nullptr;
  }
}

Node compile(const SearchKey& key) {
  Node n;
  n.type = key.type;
  // "" is in every field there is and in no missing one, so FROM "" is answered as HEADER From ""
  // (RFC 9051 §6.4.4: matches every message that has the field), as Dovecot answers it.
  if (const char* field = envelope_field(key.type); field && key.text.empty()) {
    n.type = K::Header;
    n.header_name = field;
    n.cost = Cost::Header;
    return n;
  }
  n.set = key.set;
  n.needle = key.type == K::Keyword || key.type == K::Unkeyword || key.type == K::EmailId
                 ? key.text
                 : fold_case(key.text);
  n.header_name = key.header_name;
  n.day = days_from_epoch(key.date);
  n.number = key.number;
  n.cost = leaf_cost(key.type);
  for (const SearchKey& child : key.children) {
    n.children.push_back(compile(child));
    n.cost = std::max(n.cost, n.children.back().cost);
  }
  if (n.type == K::And || n.type == K::Or) {
    std::stable_sort(n.children.begin(), n.children.end(),
                     [](const Node& a, const Node& b) { return a.cost < b.cost; });
  }
  return n;
}

int64_t floor_days(int64_t seconds) {
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

bool compare_day(K type, int64_t day, int64_t key_day) {
  switch (type) {
    case K::Before:
    case K::SentBefore:
    case K::SavedBefore:
      return day < key_day;
    case K::On:
    case K::SentOn:
    case K::SavedOn:
      return day == key_day;
    default:
      return day >= key_day;  // SINCE, SENTSINCE, SAVEDSINCE
  }
}

// The raw envelope form "name <mailbox@host>" of an address list. A group's name is part of the
// envelope field too (RFC 9051 §7.5.2 group syntax), so "TO undisclosed-recipients" matches.
std::string raw_addresses(const std::vector<mime::Address>& list) {
  std::string out;
  for (const mime::Address& a : list) {
    if (a.is_group_end) continue;
    if (a.is_group_start) {
      out += a.mailbox.value_or("") + ": ";
      continue;
    }
    if (a.name) out += *a.name + ' ';
    out += '<' + a.mailbox.value_or("") + '@' + a.host.value_or("") + ">, ";
  }
  return out;
}

// Everything one evaluation has loaded so far.
class Evaluation {
 public:
  Evaluation(const SearchMessage& m, const SearchContext& ctx) : m_(m), ctx_(ctx) {}

  Result<bool> eval(const Node& n) {
    const store::MessageEntry& e = *m_.entry;
    uint32_t sys = e.flags.system;
    switch (n.type) {
      case K::And:
        for (const Node& c : n.children) {
          auto r = eval(c);
          if (!r || !*r) return r;
        }
        return true;
      case K::Or:
        for (const Node& c : n.children) {
          auto r = eval(c);
          if (!r || *r) return r;
        }
        return false;
      case K::Not: {
        if (n.children.empty()) return false;
        auto r = eval(n.children[0]);
        if (!r) return r;
        return !*r;
      }
      case K::All:
      case K::Old:
      case K::SaveDateSupported:
        return true;
      case K::Recent:
      case K::New:
      case K::ThreadId:
        return false;  // no \Recent, no threads
      case K::SequenceSet:
        if (n.set.is_saved_result()) return in_saved();
        return n.set.contains(m_.seq, ctx_.max_seq);
      case K::Uid:
        if (n.set.is_saved_result()) return in_saved();
        return n.set.contains(e.uid, ctx_.max_uid);
      case K::Answered:
        return (sys & store::kAnswered) != 0;
      case K::Deleted:
        return (sys & store::kDeleted) != 0;
      case K::Draft:
        return (sys & store::kDraft) != 0;
      case K::Flagged:
        return (sys & store::kFlagged) != 0;
      case K::Seen:
        return (sys & store::kSeen) != 0;
      case K::Unanswered:
        return (sys & store::kAnswered) == 0;
      case K::Undeleted:
        return (sys & store::kDeleted) == 0;
      case K::Undraft:
        return (sys & store::kDraft) == 0;
      case K::Unflagged:
        return (sys & store::kFlagged) == 0;
      case K::Unseen:
        return (sys & store::kSeen) == 0;
      case K::Keyword:
        return has_keyword(n.needle);
      case K::Unkeyword:
        return !has_keyword(n.needle);
      case K::Larger:
        return e.blob.size > n.number;
      case K::Smaller:
        return e.blob.size < n.number;
      case K::Before:
      case K::On:
      case K::Since:
        return compare_day(n.type, floor_days(e.internal_date + e.internal_date_tz * 60), n.day);
      case K::SavedBefore:
      case K::SavedOn:
      case K::SavedSince:
        return compare_day(n.type, floor_days(e.save_date ? e.save_date : e.internal_date), n.day);
      // RFC 5032 §3: OLDER is "at least n seconds old", YOUNGER "less than n seconds old".
      case K::Older:
        return ctx_.now_unix - e.internal_date >= static_cast<int64_t>(n.number);
      case K::Younger:
        return ctx_.now_unix - e.internal_date < static_cast<int64_t>(n.number);
      case K::ModSeq:
        return e.modseq >= n.number;  // RFC 7162 §3.1.5
      case K::EmailId:
        return n.needle == email_id(e.blob);
      case K::Header:
        return header_field(n);
      default:
        return eval_message(n);
    }
  }

 private:
  // Keys that read the ParsedMessage or the bytes.
  Result<bool> eval_message(const Node& n) {
    auto parsed = parsed_();
    if (!parsed) return parsed.error();
    const mime::ParsedMessage& p = **parsed;
    switch (n.type) {
      case K::SentBefore:
      case K::SentOn:
      case K::SentSince: {
        if (p.date_unix < 0) return false;
        int zone = p.envelope.date ? date_header_zone_minutes(*p.envelope.date) : 0;
        return compare_day(n.type, floor_days(p.date_unix + zone * 60), n.day);
      }
      case K::Subject:
        return contains_folded(p.subject, n.needle) ||
               contains_folded(p.envelope.subject.value_or(""), n.needle);
      case K::From:
        return addresses(p.from, p.envelope.from, n.needle);
      case K::To:
        return addresses(p.to, p.envelope.to, n.needle);
      case K::Cc:
        return addresses(p.cc, p.envelope.cc, n.needle);
      case K::Bcc:
        return addresses(p.bcc, p.envelope.bcc, n.needle);
      case K::Body:
      case K::Text: {
        auto bytes = bytes_();
        if (!bytes) return bytes.error();
        if (!body_) body_ = body_text(*bytes, p);
        if (contains_folded(*body_, n.needle)) return true;
        if (n.type == K::Body || p.parts.empty()) return false;
        if (!header_) header_ = header_text(part_header(*bytes, p.parts[0]));
        return contains_folded(*header_, n.needle);
      }
      default:
        return false;
    }
  }

  bool addresses(const std::string& decoded, const std::vector<mime::Address>& raw,
                 const std::string& needle) {
    return contains_folded(decoded, needle) || contains_folded(raw_addresses(raw), needle);
  }

  // The top-level header block: kept by the index, else cut from the bytes ("" without parts).
  Result<std::string_view> top_header() {
    if (m_.load_header) {
      auto kept = m_.load_header();
      if (!kept) return kept.error();
      if (*kept) return **kept;
    }
    auto parsed = parsed_();
    if (!parsed) return parsed.error();
    auto bytes = bytes_();
    if (!bytes) return bytes.error();
    if ((*parsed)->parts.empty()) return std::string_view();
    return part_header(*bytes, (*parsed)->parts[0]);
  }

  Result<bool> header_field(const Node& n) {
    auto header = top_header();
    if (!header) return header.error();
    bool found = false;
    mime::for_each_header_field(*header, [&](const mime::HeaderField& f) {
      if (found || !mime::iequals(f.name, n.header_name)) return;
      std::string value = mime::unfold(f.value);
      found = contains_folded(value, n.needle) ||
              contains_folded(mime::decode_header_text(value), n.needle);
    });
    return found;
  }

  bool has_keyword(const std::string& keyword) const {
    const auto& k = m_.entry->flags.keywords;
    return std::any_of(k.begin(), k.end(),
                       [&](const std::string& s) { return mime::iequals(s, keyword); });
  }

  bool in_saved() const {
    uint32_t uid = m_.entry->uid;
    return std::any_of(ctx_.saved_uids.begin(), ctx_.saved_uids.end(),
                       [&](const SeqRange& r) { return r.first <= uid && uid <= r.last; });
  }

  Result<const mime::ParsedMessage*> parsed_() {
    if (!parsed_cache_) {
      if (!m_.load_parsed) return make_error(ErrorKind::Internal, "no message loader");
      auto r = m_.load_parsed();
      if (!r) return r.error();
      parsed_cache_ = *r;
    }
    return *parsed_cache_;
  }

  Result<std::string_view> bytes_() {
    if (!bytes_cache_) {
      if (!m_.load_bytes) return make_error(ErrorKind::Internal, "no message loader");
      auto r = m_.load_bytes();
      if (!r) return r.error();
      bytes_cache_ = *r;
    }
    return *bytes_cache_;
  }

  const SearchMessage& m_;
  const SearchContext& ctx_;
  std::optional<const mime::ParsedMessage*> parsed_cache_;
  std::optional<std::string_view> bytes_cache_;
  std::optional<std::string> body_, header_;  // decoded text, not folded
};

}  // namespace

SearchProgram::SearchProgram(const SearchKey& key) : root_(std::make_unique<Node>(compile(key))) {}
SearchProgram::~SearchProgram() = default;
SearchProgram::SearchProgram(SearchProgram&&) noexcept = default;
SearchProgram& SearchProgram::operator=(SearchProgram&&) noexcept = default;

bool SearchProgram::needs_parsed() const { return root_->cost >= Cost::Parsed; }
bool SearchProgram::needs_bytes() const { return root_->cost >= Cost::Body; }

namespace {
bool has_header_key(const Node& n) {
  return n.type == K::Header || std::any_of(n.children.begin(), n.children.end(), has_header_key);
}
}  // namespace

bool SearchProgram::needs_header() const { return has_header_key(*root_); }

Result<bool> SearchProgram::matches(const SearchMessage& message,
                                    const SearchContext& context) const {
  if (message.entry == nullptr) return make_error(ErrorKind::Internal, "no message entry");
  Evaluation evaluation(message, context);
  return evaluation.eval(*root_);
}

int date_header_zone_minutes(std::string_view date) {
  // RFC 5322 §3.3: zone = ("+" / "-") 4DIGIT, after the time; take the last such token.
  for (size_t i = date.size(); i-- > 0;) {
    char c = date[i];
    if ((c != '+' && c != '-') || i + 5 > date.size()) continue;
    std::string_view digits = date.substr(i + 1, 4);
    if (!std::all_of(digits.begin(), digits.end(), [](char d) { return d >= '0' && d <= '9'; }))
      continue;
    if (i + 5 < date.size() && date[i + 5] >= '0' && date[i + 5] <= '9') continue;
    int minutes = ((digits[0] - '0') * 10 + (digits[1] - '0')) * 60 + (digits[2] - '0') * 10 +
                  (digits[3] - '0');
    return c == '-' ? -minutes : minutes;
  }
  return 0;
}

}  // namespace roost::imap
