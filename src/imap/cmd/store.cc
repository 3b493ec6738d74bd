// STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9): FLAGS / +FLAGS / -FLAGS, each with .SILENT,
// through Store::store_flags. Messages whose flags really changed get "* n FETCH (FLAGS ...)"
// (with UID for UID STORE) unless .SILENT; the change is folded into the session's view at once
// so the refresh after the command does not announce it again, while changes made by other
// sessions still go out (RFC 9051 §6.4.6: .SILENT only hides our own).
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/engine/fetch_renderer.h"
#include "imap/message_loader.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

store::FlagOp op_of(StoreArgs::Mode mode) {
  switch (mode) {
    case StoreArgs::Mode::Add:
      return store::FlagOp::Add;
    case StoreArgs::Mode::Remove:
      return store::FlagOp::Remove;
    case StoreArgs::Mode::Replace:
      break;
  }
  return store::FlagOp::Replace;
}

}  // namespace

awaitable<Reply> cmd_store(Session& session, Command& command) {
  auto& args = std::get<StoreArgs>(command.args);
  SelectedMailbox& selected = *session.selected();
  if (args.unchanged_since) co_return Reply::bad("CONDSTORE is not enabled");
  if (selected.read_only) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  auto flags = parse_flags(args.flags);
  if (!flags) co_return Reply::bad(flags.error().text);
  // Pending updates go out first, so the ones our change causes are the only ones taken later.
  session.write_updates(allows_expunge(*find_command(command.name), command));

  auto targets = resolve_targets(selected.view, args.set, command.uid, selected.saved_uids);
  if (!targets) co_return Reply::bad(targets.error().text);
  if (targets->empty())
    co_return Reply::ok(command.uid ? "UID STORE completed" : "STORE completed");

  std::vector<store::Uid> uids;
  uids.reserve(targets->size());
  for (const MessageTarget& t : *targets) uids.push_back(t.uid);
  store::UidSet set = store::uid_set_of(uids);
  store::FlagUpdate update{op_of(args.mode), std::move(*flags), std::nullopt};
  store::MailboxId id = selected.view.mailbox();
  store::Store& store = session.store();
  auto stored = co_await session.blocking().run([&] { return store.store_flags(id, set, update); });
  if (!stored) co_return reply_for(stored.error());

  mailbox::ViewUpdates own = take_own_flag_changes(session, stored->changed);
  std::string& out = session.out();
  write_flags_update(out, own);
  if (!args.silent) {
    for (const mailbox::FlagUpdate& f : own.fetch_flags) {
      out += "* " + std::to_string(f.seq) + " FETCH (";
      if (command.uid) out += "UID " + std::to_string(f.uid) + " ";  // RFC 9051 §6.4.9
      out += "FLAGS ";
      write_flags(out, f.flags);
      out += ")\r\n";
    }
  }
  co_return Reply::ok(command.uid ? "UID STORE completed" : "STORE completed");
}

}  // namespace roost::imap
