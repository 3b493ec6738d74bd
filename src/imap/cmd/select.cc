// SELECT and EXAMINE (RFC 9051 §6.3.2–6.3.3) with CONDSTORE and QRESYNC (RFC 7162 §3.1.8,
// §3.2.5), CLOSE (§6.4.1), UNSELECT (§6.4.2, RFC 3691), CHECK (RFC 3501 §6.4.1) and EXPUNGE /
// UID EXPUNGE (§6.4.3, RFC 4315 §2.1; VANISHED with QRESYNC, RFC 7162 §3.2.10).
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
  mailbox::MailboxView view;              // unloaded unless QRESYNC needed its messages
  std::optional<mailbox::Resync> resync;  // QRESYNC with the mailbox's UIDVALIDITY
  std::optional<uint32_t> first_unseen;   // IMAP4rev1 only
};

// The client's known-uids as a UidSet (the parser refused "*"); nullopt when not given.
std::optional<store::UidSet> known_uids(const QresyncParams& q) {
  if (!q.known_uids) return std::nullopt;
  store::UidSet set;
  for (const SeqRange& r : q.known_uids->resolve(UINT32_MAX)) set.push_back({r.first, r.last});
  return set;
}

// RFC 7162 §3.2.5: expunges first (VANISHED (EARLIER) leaves the message count alone), then the
// messages changed since the client's MODSEQ with their UID, FLAGS and MODSEQ.
void write_resync(Session& session, const mailbox::Resync& resync) {
  if (!resync.vanished.empty()) {
    session.out() += "* VANISHED (EARLIER) " + format_numbers(resync.vanished) + "\r\n";
  }
  for (const mailbox::FlagUpdate& update : resync.changed) session.write_flag_fetch(update, true);
}

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
    if (auto unseen = opened.first_unseen) {
      out += "* OK [UNSEEN " + std::to_string(*unseen) + "] First unseen message\r\n";
    }
  }
  out += "* OK [UIDVALIDITY " + std::to_string(view.uidvalidity()) + "] UIDs valid\r\n";
  out += "* OK [UIDNEXT " + std::to_string(view.uidnext()) + "] Predicted next UID\r\n";
  // RFC 7162 §3.1.2.1: every SELECT/EXAMINE of a mailbox with persistent MODSEQs, which every
  // Roost mailbox has (so NOMODSEQ is never sent).
  out += "* OK [HIGHESTMODSEQ " + std::to_string(view.highest_modseq()) + "] Highest\r\n";
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
  if (session.selected()) {
    session.deselect();  // RFC 9051 §6.3.2: even when the new SELECT fails
    // RFC 7162 §3.2.11: a QRESYNC server marks where the old mailbox's responses end.
    session.out() += "* OK [CLOSED] Previous mailbox is now closed\r\n";
  }
  // RFC 7162 §3.2.5: QRESYNC only after ENABLE QRESYNC.
  if (args.qresync && !session.qresync()) co_return Reply::bad("QRESYNC is not enabled");
  // With no mailbox open, so no HIGHESTMODSEQ of another mailbox goes out (RFC 7162 §3.1.8).
  if (args.condstore) session.enable_condstore();
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  bool want_unseen = !session.rev2();
  // SELECT reads the mailbox row and two index probes, never the messages: the view loads them
  // when a command first needs sequence numbers (Session::load_view), QRESYNC when it must.
  auto opened = co_await session.blocking().run([&]() -> Result<Opened> {
    auto found = store.find_mailbox(account, args.mailbox);
    if (!found) return found.error();
    auto all = store.list_mailboxes(account);
    if (!all) return all.error();
    auto summary = store.mailbox_summary(found->id, want_unseen);
    if (!summary) return summary.error();
    Opened out{summary->info, false, mailbox::MailboxView::unloaded(*summary), std::nullopt,
               summary->first_unseen};
    std::string prefix = out.info.name + "/";
    for (const store::MailboxInfo& m : *all) {
      if (m.name.compare(0, prefix.size(), prefix) == 0) out.has_children = true;
    }
    // RFC 7162 §3.2.5: nothing to resynchronize when the UIDVALIDITY changed.
    if (args.qresync && args.qresync->uid_validity == out.info.uidvalidity) {
      store::ModSeq since = args.qresync->mod_seq;
      auto changes = store.changes_since(out.info.id, since);
      if (!changes) return changes.error();
      std::optional<store::UidSet> known = known_uids(*args.qresync);
      if (mailbox::needs_messages(out.view, *changes, since, known)) {
        ROOST_TRY(out.view.load_messages(store));
      }
      out.resync = mailbox::resync(out.view, *changes, since, known);
    }
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
  if (opened->resync) write_resync(session, *opened->resync);
  co_return Reply::ok(read_only ? "EXAMINE completed" : "SELECT completed",
                      read_only ? "READ-ONLY" : "READ-WRITE");
}

namespace {

// Removes the \Deleted messages (those also in `only`, when given) through mailbox::expunge.
awaitable<Status> expunge_deleted(Session& session, const std::optional<SequenceSet>& only) {
  SelectedMailbox* selected = session.selected();
  // Others' \Deleted flags arrive as change events, so only a dirty view needs the store.
  Status refreshed = co_await session.refresh();
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

awaitable<Reply> cmd_check(Session&, Command&) {
  // As NOOP: the refresh after every command picks up whatever change events announced.
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
