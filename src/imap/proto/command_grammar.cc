#include "imap/proto/command_grammar.h"

#include <array>

namespace roost::imap {

namespace {

using Parse = Result<CommandArgs> (*)(SyntaxReader&);

struct CommandSyntax {
  std::string_view word;
  CommandName name;
  Parse parse;      // nullptr: the command takes no arguments
  bool uid_form;    // may follow "UID" (RFC 9051 §6.4.9, RFC 4315, RFC 6851, RFC 5256)
  bool plain_form;  // may appear without "UID"
};

Result<CommandArgs> fetch_plain(SyntaxReader& r) { return grammar::parse_fetch(r, false); }
Result<CommandArgs> fetch_uid(SyntaxReader& r) { return grammar::parse_fetch(r, true); }

constexpr std::array kCommands = {
    CommandSyntax{"CAPABILITY", CommandName::Capability, nullptr, false, true},
    CommandSyntax{"NOOP", CommandName::Noop, nullptr, false, true},
    CommandSyntax{"LOGOUT", CommandName::Logout, nullptr, false, true},
    CommandSyntax{"STARTTLS", CommandName::StartTls, nullptr, false, true},
    CommandSyntax{"AUTHENTICATE", CommandName::Authenticate, grammar::parse_authenticate, false,
                  true},
    CommandSyntax{"LOGIN", CommandName::Login, grammar::parse_login, false, true},
    CommandSyntax{"ENABLE", CommandName::Enable, grammar::parse_enable, false, true},
    CommandSyntax{"ID", CommandName::Id, grammar::parse_id, false, true},
    CommandSyntax{"COMPRESS", CommandName::Compress, grammar::parse_compress, false, true},
    CommandSyntax{"SELECT", CommandName::Select, grammar::parse_select, false, true},
    CommandSyntax{"EXAMINE", CommandName::Examine, grammar::parse_select, false, true},
    CommandSyntax{"CREATE", CommandName::Create, grammar::parse_create, false, true},
    CommandSyntax{"DELETE", CommandName::Delete, grammar::parse_mailbox_only, false, true},
    CommandSyntax{"RENAME", CommandName::Rename, grammar::parse_rename, false, true},
    CommandSyntax{"SUBSCRIBE", CommandName::Subscribe, grammar::parse_mailbox_only, false, true},
    CommandSyntax{"UNSUBSCRIBE", CommandName::Unsubscribe, grammar::parse_mailbox_only, false,
                  true},
    CommandSyntax{"LIST", CommandName::List, grammar::parse_list, false, true},
    CommandSyntax{"LSUB", CommandName::Lsub, grammar::parse_lsub, false, true},
    CommandSyntax{"NAMESPACE", CommandName::Namespace, nullptr, false, true},
    CommandSyntax{"STATUS", CommandName::Status, grammar::parse_status, false, true},
    CommandSyntax{"IDLE", CommandName::Idle, nullptr, false, true},
    CommandSyntax{"CHECK", CommandName::Check, nullptr, false, true},
    CommandSyntax{"CLOSE", CommandName::Close, nullptr, false, true},
    CommandSyntax{"UNSELECT", CommandName::Unselect, nullptr, false, true},
    CommandSyntax{"EXPUNGE", CommandName::Expunge, nullptr, false, true},
    CommandSyntax{"EXPUNGE", CommandName::Expunge, grammar::parse_uid_expunge, true, false},
    CommandSyntax{"SEARCH", CommandName::Search, grammar::parse_search, true, true},
    CommandSyntax{"FETCH", CommandName::Fetch, fetch_plain, false, true},
    CommandSyntax{"FETCH", CommandName::Fetch, fetch_uid, true, false},
    CommandSyntax{"STORE", CommandName::Store, grammar::parse_store, true, true},
    CommandSyntax{"COPY", CommandName::Copy, grammar::parse_copy, true, true},
    CommandSyntax{"MOVE", CommandName::Move, grammar::parse_copy, true, true},
    CommandSyntax{"SORT", CommandName::Sort, grammar::parse_sort, true, true},
    CommandSyntax{"THREAD", CommandName::Thread, grammar::parse_thread, true, true},
};

}  // namespace

std::string_view to_string(CommandName name) {
  for (const CommandSyntax& c : kCommands) {
    if (c.name == name) return c.word;
  }
  return name == CommandName::Append ? "APPEND" : "UNKNOWN";
}

std::string_view to_string(StatusItem item) {
  switch (item) {
    case StatusItem::Messages:
      return "MESSAGES";
    case StatusItem::UidNext:
      return "UIDNEXT";
    case StatusItem::UidValidity:
      return "UIDVALIDITY";
    case StatusItem::Unseen:
      return "UNSEEN";
    case StatusItem::Deleted:
      return "DELETED";
    case StatusItem::Size:
      return "SIZE";
    case StatusItem::Recent:
      return "RECENT";
    case StatusItem::HighestModSeq:
      return "HIGHESTMODSEQ";
    case StatusItem::AppendLimit:
      return "APPENDLIMIT";
    case StatusItem::MailboxId:
      return "MAILBOXID";
  }
  return "UNKNOWN";
}

namespace grammar {

Result<Command> parse_command(std::string_view text, const ParserLimits& limits, bool utf8_names,
                              std::string* tag) {
  SyntaxReader r(text, limits, utf8_names);
  Command cmd;
  auto t = r.tag();
  if (!t) return t.error();
  cmd.tag = *t;
  if (tag != nullptr) *tag = *t;
  if (!r.consume(' ')) return r.error("Missing command");
  auto word = r.upper_atom();
  if (!word) return r.error("Missing command");
  if (*word == "UID") {
    cmd.uid = true;
    ROOST_TRY(r.sp());
    word = r.upper_atom();
    if (!word) return r.error("Missing command after UID");
  }
  for (const CommandSyntax& c : kCommands) {
    if (c.word != *word || (cmd.uid ? !c.uid_form : !c.plain_form)) continue;
    cmd.name = c.name;
    if (c.parse == nullptr) {
      ROOST_TRY(r.end());
      return cmd;
    }
    auto args = c.parse(r);
    if (!args) return args.error();
    cmd.args = std::move(*args);
    return cmd;
  }
  if (*word == "APPEND") return r.error("APPEND must be framed by the command parser");
  return r.error(cmd.uid ? "Unknown UID command" : "Unknown command");
}

}  // namespace grammar
}  // namespace roost::imap
