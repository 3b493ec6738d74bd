// SELECT and EXAMINE (RFC 9051 §6.3.2–6.3.3), CLOSE (§6.4.1), UNSELECT (§6.4.2, RFC 3691),
// CHECK (RFC 3501 §6.4.1) and EXPUNGE / UID EXPUNGE (§6.4.3, RFC 4315 §2.1).
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/engine/fetch_renderer.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"
#include "mailbox/expunge.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

struct Opened {
  store::MailboxInfo info;
  bool has_children = false;
  mailbox::MailboxView view;
};

void write_select_responses(Session& session, const Opened& opened, bool read_only) {
  std::string& out = session.out();
  const mailbox::MailboxView& view = opened.view;
  std::vector<std::string> flags = view.flag_names();
  out += "* FLAGS ";
  write_flag_list(out, flags);
  out += "\r\n* OK [PERMANENTFLAGS ";
  if (read_only) {
    out += "()";
  } else {
    flags.push_back("\\*");  // RFC 9051 §7.1: new keywords may be created
    write_flag_list(out, flags);
  }
  out += "] Flags permitted\r\n";
  out += "* " + std::to_string(view.exists()) + " EXISTS\r\n";
  if (!session.rev2()) {
    out += "* 0 RECENT\r\n";  // IMAP4rev1 only; Roost keeps no \Recent
    if (auto unseen = view.first_unseen()) {
      out += "* OK [UNSEEN " + std::to_string(*unseen) + "] First unseen message\r\n";
    }
  }
  out += "* OK [UIDVALIDITY " + std::to_string(view.uidvalidity()) + "] UIDs valid\r\n";
  out += "* OK [UIDNEXT " + std::to_string(view.uidnext()) + "] Predicted next UID\r\n";
  out += "* OK [MAILBOXID (" + mailbox_object_id(opened.info.id) + ")] Ok\r\n";  // RFC 8474 §4
  if (session.rev2()) {  // RFC 9051 §6.3.2: a LIST response with accurate attributes
    out += "* LIST (";
    out += opened.has_children ? "\\HasChildren" : "\\HasNoChildren";
    std::string_view role = store::to_attribute(opened.info.role);
    if (!role.empty()) {
      out += ' ';
      out += role;
    }
    out += ") \"/\" ";
    session.write_mailbox_name(out, opened.info.name);
    out += "\r\n";
  }
}

}  // namespace

awaitable<Reply> cmd_select(Session& session, Command& command) {
  const auto& args = std::get<SelectArgs>(command.args);
  bool read_only = command.name == CommandName::Examine;
  if (args.condstore || args.qresync) co_return Reply::bad("CONDSTORE/QRESYNC are not enabled");
  if (session.selected()) {
    session.deselect();  // RFC 9051 §6.3.2: even when the new SELECT fails
    if (session.rev2()) session.out() += "* OK [CLOSED] Previous mailbox is now closed\r\n";
  }
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  auto opened = co_await session.blocking().run([&]() -> Result<Opened> {
    auto info = store.find_mailbox(account, args.mailbox);
    if (!info) return info.error();
    auto all = store.list_mailboxes(account);
    if (!all) return all.error();
    Opened out{*info, false, {}};
    std::string prefix = info->name + "/";
    for (const store::MailboxInfo& m : *all) {
      if (m.name.compare(0, prefix.size(), prefix) == 0) out.has_children = true;
    }
    auto view = mailbox::MailboxView::load(store, info->id);
    if (!view) return view.error();
    out.view = std::move(*view);
    return out;
  });
  if (!opened) {
    if (opened.error().kind == ErrorKind::NotFound) {
      co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
    }
    co_return reply_for(opened.error());
  }
  write_select_responses(session, *opened, read_only);
  session.select({opened->info.name, read_only, std::move(opened->view), {}});
  co_return Reply::ok(read_only ? "EXAMINE completed" : "SELECT completed",
                      read_only ? "READ-ONLY" : "READ-WRITE");
}

namespace {

// Removes the \Deleted messages (those also in `only`, when given) through mailbox::expunge.
awaitable<Status> expunge_deleted(Session& session, const std::optional<SequenceSet>& only) {
  SelectedMailbox* selected = session.selected();
  Status refreshed = co_await session.refresh(true);
  if (!refreshed) co_return refreshed;
  std::vector<store::Uid> uids = selected->view.uids_with(store::kDeleted);
  if (only) {
    uint32_t max_uid = selected->view.uidnext() - 1;
    std::erase_if(uids, [&](store::Uid uid) { return !only->contains(uid, max_uid); });
  }
  if (uids.empty()) co_return ok();
  store::MailboxId id = selected->view.mailbox();
  store::UidSet set = store::uid_set_of(uids);
  auto removed = co_await session.blocking().run(
      [&] { return mailbox::expunge(session.store(), id, set, "imap"); });
  if (!removed) co_return removed.error();
  co_return ok();
}

}  // namespace

awaitable<Reply> cmd_close(Session& session, Command&) {
  // RFC 9051 §6.4.1: expunge silently (no untagged EXPUNGE), and never for EXAMINE.
  if (!session.selected()->read_only) {
    Status st = co_await expunge_deleted(session, std::nullopt);
    if (!st) {
      session.deselect();
      co_return reply_for(st.error());
    }
  }
  session.deselect();
  co_return Reply::ok("CLOSE completed");
}

awaitable<Reply> cmd_unselect(Session& session, Command&) {
  session.deselect();
  co_return Reply::ok("UNSELECT completed");
}

awaitable<Reply> cmd_check(Session& session, Command&) {
  co_await session.refresh(true);
  co_return Reply::ok("CHECK completed");
}

awaitable<Reply> cmd_expunge(Session& session, Command& command) {
  if (session.selected()->read_only) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  std::optional<SequenceSet> only;
  if (const auto* args = std::get_if<ExpungeArgs>(&command.args); args && command.uid) {
    only = args->uids;
  }
  Status st = co_await expunge_deleted(session, only);
  if (!st) co_return reply_for(st.error());
  co_await session.refresh(true);  // the session then sends the EXPUNGE responses
  co_return Reply::ok("EXPUNGE completed");
}

}  // namespace roost::imap
