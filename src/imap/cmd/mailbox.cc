// CREATE (RFC 9051 §6.3.4, RFC 6154 CREATE-SPECIAL-USE), DELETE (§6.3.5), RENAME (§6.3.6),
// SUBSCRIBE/UNSUBSCRIBE (§6.3.7–6.3.8), NAMESPACE (§6.3.10) and STATUS (§6.3.11, RFC 8438 SIZE,
// RFC 7889 APPENDLIMIT).
#include <algorithm>
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/engine/fetch_renderer.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"
#include "store/mailbox_name.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

bool is_inbox_name(std::string_view name) {
  if (name.size() != 5) return false;
  for (size_t i = 0; i < 5; ++i) {
    if (std::toupper(static_cast<unsigned char>(name[i])) != "INBOX"[i]) return false;
  }
  return true;
}

// RFC 9051 §6.3.4: a trailing hierarchy delimiter only says the client wants children later.
std::string without_trailing_delimiter(std::string name) {
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name;
}

Reply missing() { return Reply::no("Mailbox does not exist", "NONEXISTENT"); }

Reply mailbox_error(const Error& e) {
  if (e.kind == ErrorKind::NotFound) return missing();
  if (e.kind == ErrorKind::Exists) return Reply::no("Mailbox already exists", "ALREADYEXISTS");
  return reply_for(e);
}

}  // namespace

void write_status(Session& session, const store::MailboxInfo& info,
                  const std::vector<StatusItem>& items) {
  std::string& out = session.out();
  out += "* STATUS ";
  session.write_mailbox_name(out, info.name);
  out += " (";
  bool first = true;
  auto item = [&](std::string_view name, const std::string& value) {
    if (!first) out += ' ';
    first = false;
    out += name;
    out += ' ';
    out += value;
  };
  for (StatusItem i : items) {
    switch (i) {
      case StatusItem::Messages:
        item("MESSAGES", std::to_string(info.messages));
        break;
      case StatusItem::UidNext:
        item("UIDNEXT", std::to_string(info.uidnext));
        break;
      case StatusItem::UidValidity:
        item("UIDVALIDITY", std::to_string(info.uidvalidity));
        break;
      case StatusItem::Unseen:
        item("UNSEEN", std::to_string(info.unseen));
        break;
      case StatusItem::Deleted:
        item("DELETED", std::to_string(info.deleted));
        break;
      case StatusItem::Size:
        item("SIZE", std::to_string(info.bytes));
        break;
      case StatusItem::Recent:
        item("RECENT", "0");  // IMAP4rev1; Roost keeps no \Recent
        break;
      case StatusItem::AppendLimit: {
        uint64_t limit = session.ingest().options().max_message_size;
        item("APPENDLIMIT", limit ? std::to_string(limit) : "NIL");
        break;
      }
      case StatusItem::MailboxId:
        item("MAILBOXID", "(" + mailbox_object_id(info.id) + ")");
        break;
      case StatusItem::HighestModSeq:  // RFC 7162 §3.1.6
        item("HIGHESTMODSEQ", std::to_string(info.highest_modseq));
        break;
    }
  }
  out += ")\r\n";
}

awaitable<Reply> cmd_create(Session& session, Command& command) {
  const auto& args = std::get<MailboxArgs>(command.args);
  std::string name = without_trailing_delimiter(args.mailbox);
  if (is_inbox_name(name)) co_return Reply::no("INBOX always exists", "ALREADYEXISTS");
  store::SpecialUse role = store::SpecialUse::None;
  if (args.special_use.size() > 1) {
    co_return Reply::no("Only one special use per mailbox", "USEATTR");
  }
  if (args.special_use.size() == 1) {
    auto parsed = store::special_use_from_attribute(args.special_use[0]);
    if (!parsed || *parsed == store::SpecialUse::None) {
      co_return Reply::no("Unsupported special-use attribute", "USEATTR");
    }
    role = *parsed;
  }
  store::AccountId account = session.account()->id;
  auto created = co_await session.blocking().run(
      [&] { return session.store().create_mailbox(account, name, role); });
  if (!created) co_return mailbox_error(created.error());
  co_return Reply::ok("CREATE completed", "MAILBOXID (" + mailbox_object_id(created->id) + ")");
}

awaitable<Reply> cmd_delete(Session& session, Command& command) {
  const auto& args = std::get<MailboxArgs>(command.args);
  if (is_inbox_name(args.mailbox)) co_return Reply::no("INBOX cannot be deleted", "NOPERM");
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  // RFC 9051 §6.3.5: children survive; the name stays as a hierarchy level of theirs.
  auto deleted = co_await session.blocking().run([&]() -> Result<store::MailboxId> {
    auto info = store.find_mailbox(account, args.mailbox);
    if (!info) return info.error();
    ROOST_TRY(store.delete_mailbox(info->id));
    return info->id;
  });
  if (!deleted) co_return mailbox_error(deleted.error());
  if (session.selected() && session.selected()->view.mailbox() == *deleted) {
    session.deselect();
    if (session.rev2()) session.out() += "* OK [CLOSED] Selected mailbox was deleted\r\n";
  }
  co_return Reply::ok("DELETE completed");
}

awaitable<Reply> cmd_rename(Session& session, Command& command) {
  const auto& args = std::get<RenameArgs>(command.args);
  std::string to = without_trailing_delimiter(args.to);
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  if (is_inbox_name(to)) co_return Reply::no("INBOX already exists", "ALREADYEXISTS");
  auto renamed = co_await session.blocking().run([&]() -> Result<store::MailboxId> {
    auto info = store.find_mailbox(account, args.from);
    if (!info) return info.error();
    if (store::is_inbox(info->name)) {
      // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name and leaves INBOX
      // empty; INBOX's children stay where they are.
      auto target = store.create_mailbox(account, to);
      if (!target) return target.error();
      auto moved = store.move(info->id, store::all_uids(), target->id);
      if (!moved) return moved.error();
      return info->id;
    }
    ROOST_TRY(store.rename_mailbox(info->id, to));
    return info->id;
  });
  if (!renamed) co_return mailbox_error(renamed.error());
  if (SelectedMailbox* selected = session.selected()) {
    std::string from = args.from;
    if (selected->view.mailbox() == *renamed && !store::is_inbox(selected->name)) {
      selected->name = to;
    } else if (selected->name.compare(0, from.size() + 1, from + "/") == 0 &&
               !is_inbox_name(from)) {
      selected->name = to + selected->name.substr(from.size());
    }
  }
  co_return Reply::ok("RENAME completed");
}

awaitable<Reply> cmd_subscribe(Session& session, Command& command) {
  const auto& args = std::get<MailboxArgs>(command.args);
  bool subscribe = command.name == CommandName::Subscribe;
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  auto done = co_await session.blocking().run([&]() -> Status {
    auto info = store.find_mailbox(account, args.mailbox);
    if (!info) return info.error();
    return store.set_subscribed(info->id, subscribe);
  });
  if (!done) co_return mailbox_error(done.error());
  co_return Reply::ok(subscribe ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

awaitable<Reply> cmd_namespace(Session& session, Command&) {
  // RFC 2342 / RFC 9051 §6.3.10: one personal namespace, no others.
  session.out() += "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";
  co_return Reply::ok("NAMESPACE completed");
}

awaitable<Reply> cmd_status(Session& session, Command& command) {
  const auto& args = std::get<StatusArgs>(command.args);
  // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
  if (std::find(args.items.begin(), args.items.end(), StatusItem::HighestModSeq) !=
      args.items.end()) {
    session.enable_condstore();
  }
  store::AccountId account = session.account()->id;
  auto info = co_await session.blocking().run(
      [&] { return session.store().find_mailbox(account, args.mailbox); });
  if (!info) co_return mailbox_error(info.error());
  write_status(session, *info, args.items);
  co_return Reply::ok("STATUS completed");
}

}  // namespace roost::imap
