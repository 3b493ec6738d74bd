// SELECT/EXAMINE, CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST, LSUB and STATUS arguments.
#include <utility>

#include "imap/proto/command_grammar.h"

namespace roost::imap::grammar {
namespace {

// RFC 7162 §3.2.5: known-uids, known-sequence-set and known-uid-set are plain numbers: no "*"
// (and no "$", which names a saved search, RFC 5182).
Result<SequenceSet> star_free_set(SyntaxReader& r) {
  auto set = r.sequence_set();
  if (!set) return set.error();
  if (set->uses_star() || set->is_saved_result()) return r.error("\"*\" is not allowed in QRESYNC");
  return set;
}

// How many numbers a star-free set names, as written (a repeated number counts twice).
uint64_t count_of(const SequenceSet& set) {
  uint64_t n = 0;
  for (const SeqRange& range : set.ranges()) {
    n += (range.first > range.last ? range.first - range.last : range.last - range.first) + 1;
  }
  return n;
}

Result<QresyncParams> parse_qresync(SyntaxReader& r) {
  // RFC 7162 §3.2.5: "(" uidvalidity SP mod-sequence-value [SP known-uids]
  //                  [SP "(" known-sequence-set SP known-uid-set ")"] ")"
  QresyncParams q;
  ROOST_TRY(r.open());
  auto validity = r.nz_number();
  if (!validity) return validity.error();
  q.uid_validity = *validity;
  ROOST_TRY(r.sp());
  auto modseq = r.mod_sequence();
  if (!modseq) return modseq.error();
  q.mod_seq = *modseq;
  if (r.consume(' ')) {
    if (r.peek() != '(') {
      auto known = star_free_set(r);
      if (!known) return known.error();
      q.known_uids = std::move(*known);
    }
    if (r.peek() == '(' || (q.known_uids && r.consume(' '))) {
      ROOST_TRY(r.open());
      auto seqs = star_free_set(r);
      if (!seqs) return seqs.error();
      ROOST_TRY(r.sp());
      auto uids = star_free_set(r);
      if (!uids) return uids.error();
      ROOST_TRY(r.close());
      // The two sets pair up number by number, so they must be equally long.
      if (count_of(*seqs) != count_of(*uids)) {
        return r.error("QRESYNC known-sequence-set and known-uid-set differ in length");
      }
      q.seq_match.emplace(std::move(*seqs), std::move(*uids));
    }
  }
  ROOST_TRY(r.close());
  return q;
}

}  // namespace

Result<std::vector<StatusItem>> parse_status_items(SyntaxReader& r) {
  static constexpr std::pair<std::string_view, StatusItem> kItems[] = {
      {"MESSAGES", StatusItem::Messages},       {"UIDNEXT", StatusItem::UidNext},
      {"UIDVALIDITY", StatusItem::UidValidity}, {"UNSEEN", StatusItem::Unseen},
      {"DELETED", StatusItem::Deleted},         {"SIZE", StatusItem::Size},
      {"RECENT", StatusItem::Recent},           {"HIGHESTMODSEQ", StatusItem::HighestModSeq},
      {"APPENDLIMIT", StatusItem::AppendLimit}, {"MAILBOXID", StatusItem::MailboxId},
  };
  std::vector<StatusItem> items;
  ROOST_TRY(r.open());
  do {
    if (!items.empty()) ROOST_TRY(r.sp());
    auto word = r.upper_atom();
    if (!word) return word.error();
    bool known = false;
    for (const auto& [name, item] : kItems) {
      if (name == *word) {
        items.push_back(item);
        known = true;
      }
    }
    if (!known) return r.error("Unknown STATUS item " + *word);
  } while (r.peek() != ')');
  ROOST_TRY(r.close());
  return items;
}

Result<CommandArgs> parse_select(SyntaxReader& r) {
  SelectArgs args;
  ROOST_TRY(r.sp());
  auto name = r.mailbox();
  if (!name) return name.error();
  args.mailbox = std::move(*name);
  if (r.consume(' ')) {
    ROOST_TRY(r.open());
    do {
      if (r.consume_word("CONDSTORE")) {
        args.condstore = true;
      } else if (r.consume_word("QRESYNC")) {
        ROOST_TRY(r.sp());
        auto q = parse_qresync(r);
        if (!q) return q.error();
        args.qresync = std::move(*q);
      } else {
        return r.error("Unknown SELECT parameter");
      }
    } while (r.consume(' '));
    ROOST_TRY(r.close());
  }
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_create(SyntaxReader& r) {
  MailboxArgs args;
  ROOST_TRY(r.sp());
  auto name = r.mailbox();
  if (!name) return name.error();
  args.mailbox = std::move(*name);
  if (r.consume(' ')) {
    // RFC 6154 §3: create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")"
    ROOST_TRY(r.open());
    if (!r.consume_word("USE")) return r.error("Unknown CREATE parameter");
    ROOST_TRY(r.sp());
    auto uses = r.flag_list();
    if (!uses) return uses.error();
    args.special_use = std::move(*uses);
    ROOST_TRY(r.close());
  }
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_mailbox_only(SyntaxReader& r) {
  ROOST_TRY(r.sp());
  auto name = r.mailbox();
  if (!name) return name.error();
  ROOST_TRY(r.end());
  return MailboxArgs{std::move(*name), {}};
}

Result<CommandArgs> parse_rename(SyntaxReader& r) {
  ROOST_TRY(r.sp());
  auto from = r.mailbox();
  if (!from) return from.error();
  ROOST_TRY(r.sp());
  auto to = r.mailbox();
  if (!to) return to.error();
  ROOST_TRY(r.end());
  return RenameArgs{std::move(*from), std::move(*to)};
}

Result<CommandArgs> parse_list(SyntaxReader& r) {
  ListArgs args;
  ROOST_TRY(r.sp());
  if (r.peek() == '(') {  // RFC 5258 §3.1 selection options
    args.extended = true;
    ROOST_TRY(r.open());
    while (r.peek() != ')') {
      if (r.consume_word("SUBSCRIBED")) {
        args.select_subscribed = true;
      } else if (r.consume_word("REMOTE")) {
        args.select_remote = true;
      } else if (r.consume_word("RECURSIVEMATCH")) {
        args.select_recursive_match = true;
      } else if (r.consume_word("SPECIAL-USE")) {
        args.select_special_use = true;
      } else {
        return r.error("Unknown LIST selection option");
      }
      if (r.peek() != ')') ROOST_TRY(r.sp());
    }
    ROOST_TRY(r.close());
    // RFC 5258 §3.1: RECURSIVEMATCH alone (or with only REMOTE) is an error.
    if (args.select_recursive_match && !args.select_subscribed && !args.select_special_use) {
      return r.error("RECURSIVEMATCH needs another selection option");
    }
    ROOST_TRY(r.sp());
  }
  auto reference = r.mailbox();
  if (!reference) return reference.error();
  args.reference = std::move(*reference);
  ROOST_TRY(r.sp());
  if (r.peek() == '(') {
    args.extended = true;
    ROOST_TRY(r.open());
    do {
      auto pattern = r.list_mailbox();
      if (!pattern) return pattern.error();
      args.patterns.push_back(std::move(*pattern));
    } while (r.consume(' '));
    ROOST_TRY(r.close());
  } else {
    auto pattern = r.list_mailbox();
    if (!pattern) return pattern.error();
    args.patterns.push_back(std::move(*pattern));
  }
  if (r.consume(' ')) {  // RFC 5258 §3.2 return options
    args.extended = true;
    if (!r.consume_word("RETURN")) return r.error("Expected RETURN");
    ROOST_TRY(r.sp());
    ROOST_TRY(r.open());
    while (r.peek() != ')') {
      if (r.consume_word("SUBSCRIBED")) {
        args.return_subscribed = true;
      } else if (r.consume_word("CHILDREN")) {
        args.return_children = true;
      } else if (r.consume_word("SPECIAL-USE")) {
        args.return_special_use = true;
      } else if (r.consume_word("STATUS")) {  // RFC 5819 §2
        ROOST_TRY(r.sp());
        auto items = parse_status_items(r);
        if (!items) return items.error();
        args.return_status = std::move(*items);
      } else {
        return r.error("Unknown LIST return option");
      }
      if (r.peek() != ')') ROOST_TRY(r.sp());
    }
    ROOST_TRY(r.close());
  }
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_lsub(SyntaxReader& r) {
  ListArgs args;
  ROOST_TRY(r.sp());
  auto reference = r.mailbox();
  if (!reference) return reference.error();
  ROOST_TRY(r.sp());
  auto pattern = r.list_mailbox();
  if (!pattern) return pattern.error();
  ROOST_TRY(r.end());
  args.reference = std::move(*reference);
  args.patterns.push_back(std::move(*pattern));
  args.select_subscribed = true;
  return args;
}

Result<CommandArgs> parse_status(SyntaxReader& r) {
  StatusArgs args;
  ROOST_TRY(r.sp());
  auto name = r.mailbox();
  if (!name) return name.error();
  args.mailbox = std::move(*name);
  ROOST_TRY(r.sp());
  auto items = parse_status_items(r);
  if (!items) return items.error();
  args.items = std::move(*items);
  ROOST_TRY(r.end());
  return args;
}

}  // namespace roost::imap::grammar
