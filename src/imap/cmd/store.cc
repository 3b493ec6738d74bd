// STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9): FLAGS / +FLAGS / -FLAGS, each with .SILENT,
// through Store::store_flags, and the UNCHANGEDSINCE modifier (RFC 7162 §3.1.3). Messages whose
// flags really changed get "* n FETCH (FLAGS ...)" (with UID for UID STORE) unless .SILENT; the
// change is folded into the session's view at once so the refresh after the command does not
// announce it again, while changes made by other sessions still go out (RFC 9051 §6.4.6: .SILENT
// only hides our own). A CONDSTORE-aware client gets UID and MODSEQ in each of them, and even
// with .SILENT a "* n FETCH (UID u MODSEQ (m))", since its cache needs the new MODSEQ (§3.1.3).
// With UNCHANGEDSINCE, messages modified after it are left alone and named in [MODIFIED set];
// those that passed but whose flags already were as asked get a FETCH with their current MODSEQ
// too (§3.1.3, example 3: the server answers for every message that passed the test).
#include <algorithm>
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
  // RFC 7162 §3.1: STORE UNCHANGEDSINCE is a CONDSTORE enabling command.
  if (args.unchanged_since) session.enable_condstore();
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
  store::FlagUpdate update{op_of(args.mode), std::move(*flags), args.unchanged_since};
  store::MailboxId id = selected.view.mailbox();
  store::Store& store = session.store();
  struct Stored {
    store::StoreFlagsResult result;
    std::vector<store::FlagChange> untouched;  // passed UNCHANGEDSINCE, flags already as asked
  };
  auto stored = co_await session.blocking().run([&]() -> Result<Stored> {
    auto result = store.store_flags(id, set, update);
    if (!result) return result.error();
    Stored out{std::move(*result), {}};
    if (!update.unchanged_since) return out;
    std::vector<store::Uid> done = out.result.modified;
    for (const store::FlagChange& c : out.result.changed) done.push_back(c.uid);
    std::sort(done.begin(), done.end());
    std::vector<store::Uid> rest;
    for (store::Uid uid : uids) {
      if (!std::binary_search(done.begin(), done.end(), uid)) rest.push_back(uid);
    }
    if (rest.empty()) return out;
    auto entries = store.list_messages(id, store::uid_set_of(rest));
    if (!entries) return entries.error();
    for (store::MessageEntry& e : *entries) {
      out.untouched.push_back({e.uid, e.modseq, std::move(e.flags)});
    }
    return out;
  });
  if (!stored) co_return reply_for(stored.error());

  std::vector<store::FlagChange> answered = stored->result.changed;
  answered.insert(answered.end(), stored->untouched.begin(), stored->untouched.end());
  std::sort(answered.begin(), answered.end(),
            [](const store::FlagChange& a, const store::FlagChange& b) { return a.uid < b.uid; });
  // The view learns them all (an untouched message may be newer than the view knew).
  mailbox::ViewUpdates own = take_own_flag_changes(session, answered);
  write_flags_update(session.out(), own);
  if (!args.silent || session.condstore()) {
    for (const store::FlagChange& c : answered) {
      auto seq = selected.view.seq_of(c.uid);
      if (!seq) continue;
      // RFC 9051 §6.4.9: UID STORE answers with UID.
      session.write_flag_fetch({*seq, c.uid, c.flags, c.modseq}, command.uid, args.silent);
    }
  }

  std::string code;
  if (!stored->result.modified.empty()) {
    // RFC 7162 §3.1.3: sequence numbers for STORE, UIDs for UID STORE.
    std::vector<uint32_t> numbers;
    for (store::Uid uid : stored->result.modified) {
      if (command.uid) {
        numbers.push_back(uid);
      } else if (auto seq = selected.view.seq_of(uid)) {
        numbers.push_back(*seq);
      }
    }
    std::sort(numbers.begin(), numbers.end());
    code = "MODIFIED " + format_numbers(numbers);
  }
  co_return Reply::ok(command.uid ? "UID STORE completed" : "STORE completed", std::move(code));
}

}  // namespace roost::imap
