// SEARCH, SORT and THREAD arguments and the search-key tree (RFC 9051 §6.4.4, RFC 3501 §6.4.4,
// RFC 4731, RFC 5032, RFC 5182, RFC 5256, RFC 7162 §3.1.5, RFC 8474 §5, RFC 8514).
#include <algorithm>
#include <utility>

#include "imap/proto/command_grammar.h"

namespace roost::imap::grammar {
namespace {

using K = SearchKeyType;

struct KeyWord {
  std::string_view word;
  SearchKeyType type;
  enum Arg { None, Text, Date, Number, NzNumber, Keyword, ObjectId } arg;
};

constexpr KeyWord kKeys[] = {
    {"ALL", K::All, KeyWord::None},
    {"ANSWERED", K::Answered, KeyWord::None},
    {"DELETED", K::Deleted, KeyWord::None},
    {"DRAFT", K::Draft, KeyWord::None},
    {"FLAGGED", K::Flagged, KeyWord::None},
    {"SEEN", K::Seen, KeyWord::None},
    {"RECENT", K::Recent, KeyWord::None},
    {"NEW", K::New, KeyWord::None},
    {"OLD", K::Old, KeyWord::None},
    {"UNANSWERED", K::Unanswered, KeyWord::None},
    {"UNDELETED", K::Undeleted, KeyWord::None},
    {"UNDRAFT", K::Undraft, KeyWord::None},
    {"UNFLAGGED", K::Unflagged, KeyWord::None},
    {"UNSEEN", K::Unseen, KeyWord::None},
    {"KEYWORD", K::Keyword, KeyWord::Keyword},
    {"UNKEYWORD", K::Unkeyword, KeyWord::Keyword},
    {"BCC", K::Bcc, KeyWord::Text},
    {"BODY", K::Body, KeyWord::Text},
    {"CC", K::Cc, KeyWord::Text},
    {"FROM", K::From, KeyWord::Text},
    {"SUBJECT", K::Subject, KeyWord::Text},
    {"TEXT", K::Text, KeyWord::Text},
    {"TO", K::To, KeyWord::Text},
    {"BEFORE", K::Before, KeyWord::Date},
    {"ON", K::On, KeyWord::Date},
    {"SINCE", K::Since, KeyWord::Date},
    {"SENTBEFORE", K::SentBefore, KeyWord::Date},
    {"SENTON", K::SentOn, KeyWord::Date},
    {"SENTSINCE", K::SentSince, KeyWord::Date},
    {"LARGER", K::Larger, KeyWord::Number},
    {"SMALLER", K::Smaller, KeyWord::Number},
    {"OLDER", K::Older, KeyWord::NzNumber},
    {"YOUNGER", K::Younger, KeyWord::NzNumber},
    {"SAVEDBEFORE", K::SavedBefore, KeyWord::Date},
    {"SAVEDON", K::SavedOn, KeyWord::Date},
    {"SAVEDSINCE", K::SavedSince, KeyWord::Date},
    {"SAVEDATESUPPORTED", K::SaveDateSupported, KeyWord::None},
    {"EMAILID", K::EmailId, KeyWord::ObjectId},
    {"THREADID", K::ThreadId, KeyWord::ObjectId},
};

class SearchParser {
 public:
  explicit SearchParser(SyntaxReader& r, size_t max_keys, size_t max_depth)
      : r_(r), max_keys_(max_keys), max_depth_(max_depth) {}

  // search-key *(SP search-key) up to the end of the command, as one And node.
  Result<SearchKey> program() {
    SearchKey all;
    all.type = K::And;
    do {
      auto key = one_key();
      if (!key) return key.error();
      all.children.push_back(std::move(*key));
    } while (r_.consume(' '));
    ROOST_TRY(r_.end());
    return all;
  }

 private:
  Result<SearchKey> one_key() {
    if (++keys_ > max_keys_) return make_error(ErrorKind::Limit, "Too many search keys");
    // NOT and OR recurse without parentheses, so depth is bounded here as well.
    if (depth_ >= max_depth_) return make_error(ErrorKind::Limit, "Search program nested too deep");
    ++depth_;
    auto key = one_key_inner();
    --depth_;
    return key;
  }

  Result<SearchKey> one_key_inner() {
    SearchKey key;
    char c = r_.peek();
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
      key.type = K::SequenceSet;
      auto set = r_.sequence_set();
      if (!set) return set.error();
      key.set = std::move(*set);
      return key;
    }
    if (c == '(') {
      ROOST_TRY(r_.open());
      key.type = K::And;
      do {
        auto child = one_key();
        if (!child) return child.error();
        key.children.push_back(std::move(*child));
      } while (r_.consume(' '));
      ROOST_TRY(r_.close());
      return key;
    }
    auto word = r_.upper_atom();
    if (!word) return r_.error(r_.at_end() ? "Missing search key" : "Invalid search key");
    if (*word == "NOT" || *word == "OR") {
      key.type = *word == "NOT" ? K::Not : K::Or;
      for (int i = *word == "NOT" ? 1 : 2; i > 0; --i) {
        ROOST_TRY(r_.sp());
        auto child = one_key();
        if (!child) return child.error();
        key.children.push_back(std::move(*child));
      }
      return key;
    }
    if (*word == "UID") {
      key.type = K::Uid;
      ROOST_TRY(r_.sp());
      auto set = r_.sequence_set();
      if (!set) return set.error();
      key.set = std::move(*set);
      return key;
    }
    if (*word == "HEADER") {
      key.type = K::Header;
      ROOST_TRY(r_.sp());
      auto name = r_.astring();
      if (!name) return name.error();
      ROOST_TRY(r_.sp());
      auto value = r_.astring();
      if (!value) return value.error();
      key.header_name = std::move(*name);
      key.text = std::move(*value);
      return key;
    }
    if (*word == "MODSEQ") return modseq();
    for (const KeyWord& k : kKeys) {
      if (k.word != *word) continue;
      key.type = k.type;
      ROOST_TRY(argument(k.arg, key));
      return key;
    }
    return r_.error("Unknown search key " + *word);
  }

  Status argument(KeyWord::Arg arg, SearchKey& key) {
    if (arg == KeyWord::None) return ok();
    ROOST_TRY(r_.sp());
    switch (arg) {
      case KeyWord::Text: {
        auto text = r_.astring();
        if (!text) return text.error();
        key.text = std::move(*text);
        return ok();
      }
      case KeyWord::Keyword: {
        auto kw = r_.atom();
        if (!kw) return kw.error();
        key.text = std::move(*kw);
        return ok();
      }
      case KeyWord::ObjectId: {  // RFC 8474 §4: 1*255(ALPHA / DIGIT / "_" / "-")
        auto id = r_.atom();
        if (!id || id->size() > 255) return r_.error("Invalid object id");
        for (char c : *id) {
          bool okc = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     c == '_' || c == '-';
          if (!okc) return r_.error("Invalid object id");
        }
        key.text = std::move(*id);
        return ok();
      }
      case KeyWord::Date: {
        auto text = r_.date_text();
        if (!text) return text.error();
        auto date = parse_date(*text);
        if (!date) return r_.error("Invalid date");
        key.date = *date;
        return ok();
      }
      case KeyWord::Number:
      case KeyWord::NzNumber: {
        auto n = r_.number64();
        if (!n) return n.error();
        if (arg == KeyWord::NzNumber && *n == 0) return r_.error("Interval must be non-zero");
        key.number = *n;
        return ok();
      }
      case KeyWord::None:
        break;
    }
    return ok();
  }

  // RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
  Result<SearchKey> modseq() {
    SearchKey key;
    key.type = K::ModSeq;
    ROOST_TRY(r_.sp());
    if (r_.peek() == '"') {
      auto name = r_.string();
      if (!name) return name.error();
      if (!is_flag_entry(*name)) return r_.error("Invalid MODSEQ entry name");
      ROOST_TRY(r_.sp());
      auto type = r_.upper_atom();
      if (!type || (*type != "PRIV" && *type != "SHARED" && *type != "ALL")) {
        return r_.error("Invalid MODSEQ entry type");
      }
      key.entry_name = std::move(*name);
      key.entry_type = to_lower(*type);
      ROOST_TRY(r_.sp());
    }
    auto n = r_.number64();
    if (!n) return n.error();
    key.number = *n;
    return key;
  }

  // entry-flag-name = "/flags/" attr-flag, attr-flag = "\\" atom (a system flag or an
  // extension) / keyword (atom). The name is compared case-insensitively.
  static bool is_flag_entry(std::string_view name) {
    constexpr std::string_view kPrefix = "/flags/";
    if (name.size() <= kPrefix.size() || !iequals(name.substr(0, kPrefix.size()), kPrefix)) {
      return false;
    }
    std::string_view flag = name.substr(kPrefix.size());
    if (flag[0] == '\\') flag.remove_prefix(1);
    return !flag.empty() && std::all_of(flag.begin(), flag.end(), is_atom_char);
  }

  static std::string to_lower(std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
  }

  SyntaxReader& r_;
  size_t max_keys_;
  size_t max_depth_;
  size_t keys_ = 0;
  size_t depth_ = 0;
};

Result<SearchKey> program(SyntaxReader& r, const ParserLimits& limits) {
  return SearchParser(r, limits.max_search_keys, limits.max_nesting).program();
}

Result<std::string> charset(SyntaxReader& r) {
  auto cs = r.astring();
  if (!cs) return cs.error();
  return to_upper(*cs);
}

}  // namespace

Result<CommandArgs> parse_search(SyntaxReader& r) {
  SearchArgs args;
  ROOST_TRY(r.sp());
  if (r.consume_word("RETURN")) {  // RFC 4731 §3.1, RFC 5182 §2.2
    ROOST_TRY(r.sp());
    ROOST_TRY(r.open());
    SearchReturn ret;
    while (r.peek() != ')') {
      auto opt = r.upper_atom();
      if (!opt) return opt.error();
      if (*opt == "MIN") {
        ret.min = true;
      } else if (*opt == "MAX") {
        ret.max = true;
      } else if (*opt == "ALL") {
        ret.all = true;
      } else if (*opt == "COUNT") {
        ret.count = true;
      } else if (*opt == "SAVE") {
        ret.save = true;
      } else {
        return r.error("Unknown SEARCH return option " + *opt);
      }
      if (r.peek() != ')') ROOST_TRY(r.sp());
    }
    ROOST_TRY(r.close());
    // RFC 4731 §3.1: "RETURN ()" means "RETURN (ALL)".
    if (!ret.min && !ret.max && !ret.all && !ret.count && !ret.save) ret.all = true;
    args.result = ret;
    ROOST_TRY(r.sp());
  }
  if (r.consume_word("CHARSET")) {
    ROOST_TRY(r.sp());
    auto cs = charset(r);
    if (!cs) return cs.error();
    args.charset = std::move(*cs);
    ROOST_TRY(r.sp());
  }
  auto key = program(r, r.limits());
  if (!key) return key.error();
  args.key = std::move(*key);
  return args;
}

Result<CommandArgs> parse_sort(SyntaxReader& r) {
  using SK = SortCriterion::Key;
  static constexpr std::pair<std::string_view, SK> kSortKeys[] = {
      {"ARRIVAL", SK::Arrival},
      {"CC", SK::Cc},
      {"DATE", SK::Date},
      {"FROM", SK::From},
      {"SIZE", SK::Size},
      {"SUBJECT", SK::Subject},
      {"TO", SK::To},
      {"DISPLAYFROM", SK::DisplayFrom},
      {"DISPLAYTO", SK::DisplayTo},
  };
  SortArgs args;
  ROOST_TRY(r.sp());
  ROOST_TRY(r.open());
  do {
    SortCriterion criterion;
    auto word = r.upper_atom();
    if (!word) return word.error();
    if (*word == "REVERSE") {
      criterion.reverse = true;
      ROOST_TRY(r.sp());
      word = r.upper_atom();
      if (!word) return word.error();
    }
    bool known = false;
    for (const auto& [name, key] : kSortKeys) {
      if (name == *word) {
        criterion.key = key;
        known = true;
      }
    }
    if (!known) return r.error("Unknown sort criterion " + *word);
    args.criteria.push_back(criterion);
  } while (r.consume(' '));
  ROOST_TRY(r.close());
  ROOST_TRY(r.sp());
  auto cs = charset(r);
  if (!cs) return cs.error();
  args.charset = std::move(*cs);
  ROOST_TRY(r.sp());
  auto key = program(r, r.limits());
  if (!key) return key.error();
  args.key = std::move(*key);
  return args;
}

Result<CommandArgs> parse_thread(SyntaxReader& r) {
  ThreadArgs args;
  ROOST_TRY(r.sp());
  auto algorithm = r.upper_atom();
  if (!algorithm) return algorithm.error();
  args.algorithm = std::move(*algorithm);
  ROOST_TRY(r.sp());
  auto cs = charset(r);
  if (!cs) return cs.error();
  args.charset = std::move(*cs);
  ROOST_TRY(r.sp());
  auto key = program(r, r.limits());
  if (!key) return key.error();
  args.key = std::move(*key);
  return args;
}

}  // namespace roost::imap::grammar
